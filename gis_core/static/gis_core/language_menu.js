/*
 * The language menu in the top bar (gis_core/templates/gis_core/base.html): choosing a
 * language submits its form. A static file: the Content-Security-Policy allows no inline
 * event handlers.
 */
document.addEventListener("change", (event) => {
  if (event.target.matches("form.lang select[name=language]")) event.target.form.submit();
});
