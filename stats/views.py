from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def index(request):
    return redirect("statistics:dashboard")


@login_required
def dashboard(request):
    return render(request, "statistics/dashboard.html", {})
