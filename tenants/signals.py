from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.dispatch import receiver

SESSION_TENANT_KEY = "tenant_schema"


@receiver(user_logged_in)
def bind_session_to_tenant(sender, request, user, **kwargs) -> None:
    """Record which tenant a session belongs to; SessionTenantMiddleware checks it on every request."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_TENANT_KEY] = connection.schema_name
