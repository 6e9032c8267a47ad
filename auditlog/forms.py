from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LockoutAwareAuthenticationForm(AdminAuthenticationForm):
    """The admin sign-in form, saying so when a lockout refused the attempt.

    The message is the same whether or not the username exists, since
    unknown usernames are locked out just the same.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed sign-in attempts for this username or from this "
            "network address. Sign-in is paused; try again in %(minutes)s "
            "minutes, or ask a superadmin to unlock it."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            lock = getattr(self.request, "janus_lockout", None)
            if lock is None:
                raise
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": lock.minutes_left},
            ) from None
