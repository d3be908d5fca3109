// Decision form (TOL-13, TOL-11): when the veto is affirmed only 不予容错 stays selectable;
// the reason fields of unchecked conditions are dimmed. The service enforces the same rules.
(function () {
  "use strict";
  var form = document.getElementById("decision-form");
  if (!form) return;
  var veto = form.querySelector("input[name=veto]");
  var outcomes = form.querySelectorAll("input[name=outcome]");
  function sync() {
    outcomes.forEach(function (radio) {
      var blocked = veto && veto.checked && radio.value !== "not_tolerated";
      radio.disabled = blocked;
      if (blocked && radio.checked) radio.checked = false;
    });
    if (veto && veto.checked) {
      var keep = form.querySelector("input[name=outcome][value=not_tolerated]");
      if (keep) keep.checked = true;
    }
    ["c1", "c2", "c3"].forEach(function (name) {
      var box = form.querySelector("input[name=" + name + "]");
      var reason = form.querySelector("textarea[name=" + name + "_reason]");
      if (box && reason) reason.closest(".mb-3").classList.toggle("opacity-50", !box.checked);
    });
  }
  form.addEventListener("change", sync);
  sync();
})();
