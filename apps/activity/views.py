"""A person's notifications: the list, marking them read, and following one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.core.http import paginate, render_partial

from .models import Notification

PER_PAGE = 30


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user)
    context = paginate(request, mine, PER_PAGE)
    return render_partial(request, "activity/notifications.html", context, "notifications")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user).mark_read()
    if request.htmx:
        mine = Notification.objects.filter(user=request.user)
        context = paginate(request, mine, PER_PAGE, number=1)
        return render(request, "activity/notifications.html#notifications", context)
    return redirect("activity:notifications")


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    Notification.objects.filter(pk=notification.pk).mark_read()
    safe = url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if notification.url and safe else "activity:notifications")
