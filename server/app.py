"""The Flask application factory: one blueprint per concern, configuration passed in, no globals."""
