"""Hardware profiles (YAML), shipped as package data."""
