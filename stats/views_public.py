from django.shortcuts import render


def certificates(request):
    return render(request, "statistics/public_certificates.html", {})
