"""Sign-in through the district's LDAP directory (django-auth-ldap, configured by
config/sso.py): the directory checks the password, its groups give the role and areas."""
from __future__ import annotations

import logging

import ldap
from django_auth_ldap.backend import LDAPBackend

from gis_core.services import user_identity_sync

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        try:
            groups = ldap_user.group_names
        except ldap.LDAPError as error:
            logger.warning("single sign-on of %s: the directory's groups could not be read: %s", user, error)
            return None
        return user_identity_sync(user=user, groups=groups)
