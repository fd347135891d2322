// the change to give, while typing (the server computes it again when the payment is taken)
(function () {
  var amount = document.getElementById("amount"), tendered = document.getElementById("tendered"),
      method = document.getElementById("method"), out = document.getElementById("change");
  if (!amount || !tendered || !out) return;
  function kop(text) { var v = Number(String(text).replace(/[\s\u00a0]/g, "").replace(",", "."));
                       return isFinite(v) && text.trim() !== "" ? Math.round(v * 100) : null; }
  function show() {
    var a = kop(amount.value), t = kop(tendered.value);
    tendered.disabled = method.value === "card";
    if (method.value === "card" || a === null || t === null) { out.textContent = "—"; return; }
    var c = t - a;
    out.textContent = c < 0 ? "не хватает " + ((-c) / 100).toFixed(2).replace(".", ",") + "\u00a0₽"
                            : (c / 100).toFixed(2).replace(".", ",") + "\u00a0₽";
  }
  [amount, tendered, method].forEach(function (el) { el.addEventListener("input", show); });
  show();
})();
