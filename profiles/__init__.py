"""Hardware profiles: YAML data (one file per target) and the schema that validates them."""
from .loader import ProfileError, builtin_names, load_profile
from .schema import Profile, Quantity

__all__ = ["Profile", "ProfileError", "Quantity", "builtin_names", "load_profile"]
