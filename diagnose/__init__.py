"""Find the slow span automatically, say why it is slow, and prove the fix."""
