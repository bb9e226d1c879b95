"""The medlm HTTP service (FastAPI): an app factory and one router per capability."""
