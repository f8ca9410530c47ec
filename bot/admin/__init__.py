"""What an operator's tools read from the running bot: its metrics (`metrics.py`, counted wherever the bot works) and
the admin HTTP server that answers /healthz, /readyz and /metrics (`server.py`)."""
