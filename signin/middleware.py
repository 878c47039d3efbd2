from django.http import HttpRequest, HttpResponse

from signin.sessions import session_idle_check


class IdleSessionMiddleware:
    """After AuthenticationMiddleware: an idle session is ended before the view runs, so
    the request goes on as an anonymous one (a page then asks to sign in, the API
    answers 401/403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session_idle_check(request)
        return self.get_response(request)
