"""The user's own account: changing their password (forced after a temporary one)."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from ..forms.units import ChangeOwnPasswordForm
from ..services import memberships
from ..web.middleware import forget_password_check, must_change_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change with the product's template; the change itself is the
    `memberships.password_change` service (audited, clears 'must change password')."""

    form_class = ChangeOwnPasswordForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        memberships.password_change(
            user=form.user, new_password=form.cleaned_data["new_password1"], request=self.request
        )
        # Keep this session (the others end with the old hash), and forget the cached
        # 'must change' answer so the next request reads the cleared flag.
        update_session_auth_hash(self.request, form.user)
        forget_password_check(self.request)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = must_change_password(self.request)
        return context


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"
)
