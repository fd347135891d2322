// Keyboard help for the desks (tiny, no framework):
// * Alt+<letter> opens the element with that access key, whatever the keyboard layout
//   (a Russian layout gives «ы» for S: the physical key is used), in every browser;
// * ↓/↑ move between the links of a result list (a.hit) and back to the search field (#q).
(function () {
  function accessKeyOf(event) {
    var code = event.code || "";
    if (/^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
    if (/^Digit[0-9]$/.test(code)) return code.slice(5);
    return (event.key || "").toLowerCase();
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var target = document.querySelector('[accesskey="' + accessKeyOf(event) + '"]');
      if (!target) return;
      event.preventDefault();
      if (target.tagName === "A") { target.click(); } else { target.focus(); }
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var links = Array.prototype.slice.call(document.querySelectorAll("a.hit"));
    if (!links.length) return;
    var here = links.indexOf(document.activeElement);
    var field = document.activeElement && document.activeElement.id === "q";
    if (here < 0 && !field) return;
    event.preventDefault();
    var next = here < 0 ? (event.key === "ArrowDown" ? 0 : -1)
                        : here + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) { document.getElementById("q").focus(); return; }
    links[Math.min(next, links.length - 1)].focus();
  });
})();
