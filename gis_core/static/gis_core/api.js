/*
 * GridApi: what every page script needs to talk to the API — Django's CSRF token, a POST
 * of JSON or a FormData with it, and DRF's errors ({field: [reasons]}) as one line of text.
 * Loaded before the page's own script (base.html).
 */
(function () {
  "use strict";

  /* Django's CSRF token: the cookie, or the form field of a page rendered with one. */
  function csrfToken() {
    const cookie = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* POST `body` (a FormData as multipart, anything else as JSON). Resolves to
     {ok, status, body} with the parsed JSON answer ({} when there is none); rejects only
     when the server cannot be reached. */
  async function post(url, body) {
    const form = body instanceof FormData;
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", body: form ? body : JSON.stringify(body),
      headers: {Accept: "application/json", "X-CSRFToken": csrfToken(),
                ...(form ? {} : {"Content-Type": "application/json"})},
    });
    const answer = await response.json().catch(() => ({}));
    return {ok: response.ok, status: response.status, body: answer};
  }

  /* "field: reason; field: reason" from a DRF error body; `detail` and
     `non_field_errors` without their names. */
  function errorText(body) {
    return Object.entries(body || {}).map(([field, reasons]) =>
      (field === "detail" || field === "non_field_errors" ? "" : field + ": ")
      + [].concat(reasons).filter((r) => typeof r === "string").join(" ")).join("; ");
  }

  window.GridApi = {csrfToken, post, errorText};
})();
