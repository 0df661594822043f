"""An open-model load generator that reports honest percentiles and links slow requests to traces."""
