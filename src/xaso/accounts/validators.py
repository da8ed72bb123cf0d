from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as _Base
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(_Base):
    """Django's rule with a Vietnamese message (its vi catalogue lacks this plural form)."""

    def validate(self, password: str, user: object = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("Mật khẩu quá ngắn: cần ít nhất %(n)d ký tự.") % {"n": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu cần ít nhất %(n)d ký tự.") % {"n": self.min_length}
