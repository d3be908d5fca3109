from django.contrib.auth import views as auth_views
from django.urls import path

from xian_enforcement.accounts import views as accounts_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Two-factor for administrators (security.md "Authentication").
    path("2fa/setup/", accounts_views.otp_setup, name="otp_setup"),
    path("2fa/verify/", accounts_views.otp_verify, name="otp_verify"),
]
