"""What main.py's Cloud Function entry points delegate to: request parsing, Cloud Tasks, responses."""
