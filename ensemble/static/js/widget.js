/*
 * Ensemble's embeddable widget. A site pastes:
 *   <script src="https://<host>/<office>/widget.js" data-type="listings" data-category="…"
 *           data-town="…" data-limit="6" data-colour="#0b5d8c" data-background="#ffffff" async></script>
 * and this script puts, right after the tag, an <iframe> showing the office's published listings
 * (data-type="listings") or events (data-type="events"). data-lang (fr, en, nl) and data-title (the
 * frame's accessible name) are optional. The frame reports its height so that it never scrolls.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var source = new URL(script.src, window.location.href);
  var page = new URL(source.pathname.replace(/widget\.js$/, "widget/"), source.origin);
  var names = {
    type: "type", category: "category", town: "town", limit: "limit",
    colour: "colour", color: "colour", background: "background", lang: "langue"
  };
  Object.keys(names).forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (value) page.searchParams.set(names[name], value.slice(0, 100));
  });
  var type = page.searchParams.get("type") === "events" ? "events" : "listings";
  var lang = page.searchParams.get("langue") || "fr";
  var titles = {
    fr: { listings: "Nos bonnes adresses", events: "Agenda des sorties" },
    en: { listings: "Places to visit", events: "What's on" },
    nl: { listings: "Onze adressen", events: "Agenda" }
  };
  var iframe = document.createElement("iframe");
  iframe.src = page.toString();
  iframe.title = script.getAttribute("data-title") || (titles[lang] || titles.fr)[type];
  iframe.loading = "lazy";
  iframe.width = "100%";
  iframe.height = "420";
  iframe.style.border = "0";
  iframe.style.width = "100%";
  iframe.style.display = "block";
  script.parentNode.insertBefore(iframe, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== source.origin || event.source !== iframe.contentWindow) return;
    var data = event.data;
    if (data && data.type === "ensemble-widget-height" && typeof data.height === "number" &&
        data.height > 0 && data.height < 20000) {
      iframe.height = String(Math.ceil(data.height));
    }
  });
})();
