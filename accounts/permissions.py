"""Questions about what a user may do, shared by admin classes."""

from accounts.levels import AdminLevel


def is_superadmin(user) -> bool:
    """Return True for superusers and holders of the superadmin level."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "admin_level", None) == (
        AdminLevel.SUPERADMIN
    )
