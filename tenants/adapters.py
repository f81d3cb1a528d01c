from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # No open sign-up: people join through an e-mailed invitation.
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the failed logins of an account by host and address. An
        # account is one for every PTA host and the national site, so its
        # budget of wrong passwords must be one too (config/cache.py keeps the
        # counters out of the per-tenant cache keys).
        return credentials.get("email", credentials.get("username", "")).lower()
