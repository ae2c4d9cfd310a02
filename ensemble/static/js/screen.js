/*
 * Reception screen: loops through the slides, polls the content every few minutes and keeps
 * showing the last content it received when the network is lost (kept in memory and in
 * localStorage, so a reload while offline still has it). Shows the time; reloads the page once
 * a day, only after checking the server answers. Every text is set with textContent.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-screen]");
  if (!root) return;
  var settings = root.dataset;
  var slidesBox = document.getElementById("screen-slides");
  var statusBox = document.getElementById("screen-status");
  var pauseButton = document.getElementById("screen-pause");
  var timeBox = document.getElementById("screen-time");
  var dateBox = document.getElementById("screen-date");
  var key = settings.storageKey;
  var interval = Math.max(3, parseInt(settings.interval, 10) || 12) * 1000;
  var poll = Math.max(30, parseInt(settings.poll, 10) || 300) * 1000;
  var lang = settings.lang || "fr";
  var zone = settings.timeZone || undefined;
  var current = null;
  var index = 0;
  var paused = false;

  // ---- content --------------------------------------------------------------------------

  function valid(data) {
    return !!data && Array.isArray(data.slides) && data.slides.length > 0;
  }

  function newest(a, b) {
    if (!valid(a)) return valid(b) ? b : null;
    if (!valid(b)) return a;
    return String(a.generated_at) >= String(b.generated_at) ? a : b;
  }

  function embedded() {
    var node = document.getElementById("screen-data");
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }

  function stored() {
    try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
  }

  function keep(data) {
    try { window.localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full or disabled */ }
  }

  // ---- rendering --------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function eventItem(event) {
    var item = element("li");
    item.appendChild(element("span", "event-when", event.when));
    item.appendChild(document.createTextNode(" "));
    item.appendChild(element("span", "event-title", event.title));
    if (event.place) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "event-place", event.place));
    }
    return item;
  }

  function slideBody(section, slide) {
    if (slide.kind === "banner") {
      if (slide.image) {
        var image = element("img", "slide-image");
        image.src = slide.image;
        image.alt = slide.alt || "";
        if (slide.width) { image.width = slide.width; image.height = slide.height; }
        section.appendChild(image);
      }
      if (slide.text) section.appendChild(element("p", "slide-text", slide.text));
    } else if (slide.kind === "events") {
      var list = element("ul", "slide-events");
      (slide.events || []).forEach(function (event) { list.appendChild(eventItem(event)); });
      section.appendChild(list);
    } else {
      section.appendChild(element("p", "slide-text slide-message-text", slide.text));
    }
  }

  function renderSlide(slide) {
    var section = element("section", "slide slide-" + slide.kind);
    section.setAttribute("aria-roledescription", settings.labelSlide || "slide");
    section.setAttribute("aria-label", slide.title || "");
    section.setAttribute("data-slide-id", slide.id);
    section.appendChild(element("h2", "slide-title", slide.title));
    slideBody(section, slide);
    return section;
  }

  function show(position) {
    var slides = slidesBox.children;
    if (!slides.length) return;
    index = position % slides.length;
    for (var i = 0; i < slides.length; i++) slides[i].hidden = i !== index;
  }

  function render(data) {
    var shown = slidesBox.children[index];
    var shownId = shown ? shown.getAttribute("data-slide-id") : null;
    var fragment = document.createDocumentFragment();
    var next = 0;
    data.slides.forEach(function (slide, i) {
      if (slide.id === shownId) next = i;
      fragment.appendChild(renderSlide(slide));
    });
    while (slidesBox.firstChild) slidesBox.removeChild(slidesBox.firstChild);
    slidesBox.appendChild(fragment);
    show(next);
  }

  function advance() {
    if (!paused) show(index + 1);
  }

  // ---- status, clock ----------------------------------------------------------------------

  function hour(date) {
    return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(date);
  }

  function status(online) {
    var received = current && current.generated_at ? new Date(current.generated_at) : new Date();
    var label = online ? settings.labelUpdated : settings.labelOffline;
    statusBox.textContent = (label || "%s").replace("%s", hour(received));
    root.classList.toggle("is-offline", !online);
  }

  function tick() {
    var now = new Date();
    timeBox.textContent = hour(now);
    timeBox.setAttribute("datetime", now.toISOString());
    dateBox.textContent = new Intl.DateTimeFormat(lang, {
      weekday: "long", day: "numeric", month: "long", timeZone: zone
    }).format(now);
  }

  // ---- network ----------------------------------------------------------------------------

  function revoked() {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    window.location.reload();
  }

  function refresh() {
    return window.fetch(settings.contentUrl, {
      cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.status === 404) { revoked(); throw new Error("revoked"); }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      if (!valid(data)) throw new Error("invalid content");
      current = data;
      keep(data);
      render(data);
      status(true);
      return true;
    }).catch(function () {
      status(false);  // keep showing what we have
      return false;
    });
  }

  function reloadWhenOnline() {
    refresh().then(function (ok) {
      if (ok) window.location.reload();
      else window.setTimeout(reloadWhenOnline, poll);
    });
  }

  function scheduleDailyReload() {
    var now = new Date();
    var next = new Date(now.getTime());
    next.setHours(4, 0, 0, 0);
    if (next <= now) next.setDate(next.getDate() + 1);
    window.setTimeout(reloadWhenOnline, next - now + Math.floor(Math.random() * 10 * 60 * 1000));
  }

  // ---- start ------------------------------------------------------------------------------

  pauseButton.addEventListener("click", function () {
    paused = !paused;
    pauseButton.textContent = paused ? settings.labelPlay : settings.labelPause;
  });

  current = newest(embedded(), stored());
  if (current) {
    keep(current);
    render(current);
  }
  status(true);
  tick();
  window.setInterval(tick, 10 * 1000);
  window.setInterval(advance, interval);
  window.setInterval(refresh, poll);
  scheduleDailyReload();
})();
