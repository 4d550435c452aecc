// Office pages: small behaviours that would otherwise need inline script (refused by the CSP).
// A select or date input marked data-autosubmit sends its form when it changes.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});
