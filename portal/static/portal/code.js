/*
 * The report page's "send me a code" (portal/templates/portal/report.html): posts the phone
 * to config.codesUrl (purpose "report") and says the code was sent, or why not (a bad
 * number next to the phone field, too many codes). The report itself is sent by
 * incidents/static/incidents/report.js with the phone and code (config.extraFields).
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const text = document.getElementById("report-text").dataset;
  const $ = (id) => document.getElementById(id);

  function fieldError(name, messages) {
    const p = document.querySelector('.field-error[data-field="' + name + '"]');
    p.hidden = !messages;
    p.textContent = messages ? [].concat(messages).join(" ") : "";
  }

  $("send-code").addEventListener("click", () => {
    fieldError("phone", null);
    $("send-code").disabled = true;
    GridApi.post(config.codesUrl, {phone: $("phone").value, purpose: "report"}).then(({status, body}) => {
      $("code-status").hidden = false;
      if (status === 202) {
        $("code-status").textContent = text.codeSent;
        $("code").focus();
      } else if (status === 400) {
        $("code-status").hidden = true;
        fieldError("phone", body.phone || GridApi.errorText(body));
      } else {
        $("code-status").textContent = status === 429 ? text.codeWait : (body.detail || text.failed);
      }
    }).catch(() => { $("code-status").hidden = false; $("code-status").textContent = text.failed; })
      .finally(() => { $("send-code").disabled = false; });
  });
})();
