"""The whole lab as plain local processes on 127.0.0.1, for machines without Docker.

Same config files and ports as docker-compose.yml; binaries come from `make tools`.
"""
