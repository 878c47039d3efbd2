/*
 * The report page (incidents/templates/incidents/report.html), phone first.
 *
 * Where: "use my location" (the device's GPS, WGS84) or a tap on the map (GridMap, zoomed
 * to the user's cells) puts the marker. What: main category → subcategory (from
 * config.categories), description, photos. Open cases within 50 m are listed as soon as
 * the place is known, those of the chosen category first, so the same problem is not
 * filed twice (when config.nearbyUrl is given: staff only). Sending posts multipart to
 * config.casesUrl, with the form fields named in config.extraFields (the portal: the
 * resident's phone and SMS code); the answer's tracking number and key are shown (and its
 * track_url when it has one), or each refused field's reason next to it.
 */
(function () {
  "use strict";
  const {config, fetchJSON, element} = GridMap;
  const $ = (id) => document.getElementById(id);
  const text = $("report-text").dataset;
  const place = {lon: null, lat: null};
  let marker = null;

  /* categories: main → subcategories */
  const mains = config.categories;
  $("main-category").append(...mains.map((m) => element("option", {value: m.code, text: m.name})));
  $("main-category").addEventListener("change", () => {
    const main = mains.find((m) => m.code === $("main-category").value);
    $("category").replaceChildren(element("option", {value: "", text: "—"}),
      ...(main ? main.subcategories.map((c) => element("option", {value: c.code, text: c.name})) : []));
    showNearby();
  });
  $("category").addEventListener("change", showNearby);

  GridMap.ready.then((grid) => {
    grid.map.on("click", (event) => setPlace(grid, event.lngLat.lng, event.lngLat.lat));
    $("use-gps").addEventListener("click", () => {
      if (!navigator.geolocation) { $("where-text").textContent = text.gpsFailed; return; }
      navigator.geolocation.getCurrentPosition(
        (position) => setPlace(grid, position.coords.longitude, position.coords.latitude, true),
        () => { $("where-text").textContent = text.gpsFailed; },
        {enableHighAccuracy: true, timeout: 10000, maximumAge: 30000});
    });
  });

  function setPlace(grid, lon, lat, fly) {
    place.lon = lon;
    place.lat = lat;
    $("lon").value = lon.toFixed(7);
    $("lat").value = lat.toFixed(7);
    if (!marker) marker = new maplibregl.Marker({color: "#c0392b"});
    marker.setLngLat([lon, lat]).addTo(grid.map);
    if (fly) grid.map.flyTo({center: [lon, lat], zoom: Math.max(grid.map.getZoom(), 17)});
    $("where-text").textContent = text.located + " · " + lon.toFixed(5) + ", " + lat.toFixed(5);
    showNearby();
  }

  /* Open cases within 50 m; the chosen category's first. */
  function showNearby() {
    if (place.lon === null || !config.nearbyUrl) return;
    const chosen = $("category").value;
    fetchJSON(config.nearbyUrl + "?lon=" + place.lon + "&lat=" + place.lat).then((body) => {
      const features = body.features.slice().sort((a, b) =>
        (b.properties.category === chosen) - (a.properties.category === chosen));
      $("nearby").hidden = !features.length;
      $("nearby-list").replaceChildren(...features.map((f) => element("li",
        {class: f.properties.category === chosen ? "same" : ""},
        element("strong", {text: f.properties.tracking_number}),
        document.createTextNode(" " + f.properties.category_name + " · " + f.properties.status_display + " · "
                                + Math.round(f.properties.distance_m) + " " + text.metres),
        element("div", {class: "muted", text: f.properties.description.slice(0, 60)}))));
    }).catch(() => { $("nearby").hidden = true; });
  }

  function showErrors(errors) {
    document.querySelectorAll(".field-error[data-field]").forEach((p) => {
      const messages = errors[p.dataset.field];
      p.hidden = !messages;
      p.textContent = messages ? [].concat(messages).join(" ") : "";
    });
    const shown = new Set([...document.querySelectorAll(".field-error[data-field]")].map((p) => p.dataset.field));
    const other = Object.entries(errors).filter(([field]) => !shown.has(field));
    $("form-error").hidden = !other.length;
    $("form-error").textContent = other.map(([field, m]) => field + ": " + [].concat(m).join(" ")).join("; ");
  }

  $("report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData();
    ["category", "description", "address", "lon", "lat"].forEach((name) => {
      const value = $("report-form").elements[name].value;
      if (value !== "") form.append(name, value);
    });
    (config.extraFields || []).forEach((name) => form.append(name, $("report-form").elements[name].value));
    if (config.desk) {
      form.append("reporter_name", $("reporter-name").value);
      form.append("reporter_phone", $("reporter-phone").value);
    }
    [...$("photos").files].forEach((file) => form.append("photos", file));
    // Disabled while sending and, once sent, until "report another": one tap, one case.
    if ($("submit").disabled) return;
    $("submit").disabled = true;
    GridApi.post(config.casesUrl, form)
      .then(({status, body}) => {
        if (status === 201) return done(body);
        showErrors(status === 400 ? body : {detail: body.detail || text.failed});
        $("submit").disabled = false;
      })
      .catch(() => { showErrors({detail: text.failed}); $("submit").disabled = false; });
  });

  function done(body) {
    const properties = body.properties || body;  // a case (GeoJSON) or the portal's receipt
    const number = properties.tracking_number;
    const key = properties.tracking_key;
    showErrors({});
    $("tracking-number").textContent = number;
    $("tracking-key").textContent = key;
    $("track-link").href = properties.track_url || ($("track-link").getAttribute("href").split("?")[0]
      + "?number=" + encodeURIComponent(number) + "&check=" + encodeURIComponent(key));
    $("track-link").textContent = $("track-link").href;
    $("report-form").hidden = true;
    $("done").hidden = false;
  }

  $("another").addEventListener("click", () => {
    $("report-form").reset();
    $("submit").disabled = false;
    $("nearby").hidden = true;
    $("report-form").hidden = false;
    $("done").hidden = true;
  });
})();
