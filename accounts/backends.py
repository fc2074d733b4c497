"""Signing in with a username and password (Django's ModelBackend), with one difference."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in user with their station and county in the same query: every page
        shows them (base.html), so reading them apart would cost two queries a page."""
        try:
            user = User._default_manager.select_related("station", "county").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
