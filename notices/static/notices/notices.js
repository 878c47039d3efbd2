/*
 * The notices pages (notices/notices.html, notices/notice.html) on the shared map (GridMap):
 * - drafting: areas ticked, a polygon drawn by tapping its corners or a circle placed by a
 *   tap, the preview of the reach (POST /api/v1/notices/preview/: people, distinct phones,
 *   staff and the target, drawn on the map) and saving the draft;
 * - one notice: its target on the map and the buttons of its steps (submit, approve,
 *   reject, withdraw), each sent with the version seen.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const L = config.labels2;
  const TARGET_STYLE = [
    {type: "fill", paint: {"fill-color": "#c0392b", "fill-opacity": 0.2}},
    {type: "line", paint: {"line-color": "#c0392b", "line-width": 2}},
    {type: "circle", filter: ["==", ["geometry-type"], "Point"], paint: {"circle-color": "#c0392b", "circle-radius": 4}},
  ];

  function showTarget(gridMap, geometry, fit) {
    const data = {type: "FeatureCollection", features: geometry ? [{type: "Feature", geometry, properties: {}}] : []};
    const source = gridMap.map.getSource("src-notice-target");
    if (source) source.setData(data);
    else gridMap.addOverlay({id: "notice-target", title: L.target, source: {type: "geojson", data},
                             layers: TARGET_STYLE, legend: [[L.target, "#c0392b"]]});
    if (fit && geometry) {
      const coords = JSON.stringify(geometry.coordinates).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g) || [];
      const points = coords.map((pair) => pair.split(",").map(Number));
      if (points.length) {
        const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
        gridMap.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]],
                              {padding: 30, maxZoom: 17, animate: false});
      }
    }
  }

  function showErrors(form, body) {
    form.querySelectorAll(".field-error").forEach((p) => { p.hidden = true; p.textContent = ""; });
    const rest = {};
    Object.entries(body || {}).forEach(([field, reasons]) => {
      const slot = form.querySelector(`.field-error[data-field="${field}"]`);
      if (slot) { slot.textContent = [].concat(reasons).join(" "); slot.hidden = false; } else rest[field] = reasons;
    });
    const general = document.getElementById("form-error");
    const text = GridApi.errorText(rest);
    general.textContent = text;
    general.hidden = !text;
  }

  /* ------------------------------------------------------------------ drafting */
  function drafting(gridMap, form) {
    const drawing = {mode: null, corners: [], circle: null};
    const hint = document.getElementById("draw-hint");
    const finish = document.getElementById("finish-polygon");
    const kind = document.getElementById("kind");
    const warningFields = document.getElementById("warning-fields");
    kind.addEventListener("change", () => { warningFields.hidden = kind.value !== "warning"; });

    // Validity: from now for a week, in the district's time.
    const local = (date) => new Date(date.getTime() + 8 * 3600e3).toISOString().slice(0, 16);
    form.valid_from.value = local(new Date());
    form.valid_until.value = local(new Date(Date.now() + 7 * 86400e3));

    function drawn() {
      const features = [];
      if (drawing.corners.length) {
        const ring = drawing.mode === "polygon" ? drawing.corners : [...drawing.corners, drawing.corners[0]];
        features.push({type: "Feature", properties: {}, geometry: drawing.corners.length > 2
          ? {type: "Polygon", coordinates: [ring]} : {type: "MultiPoint", coordinates: drawing.corners}});
      }
      if (drawing.circle) features.push({type: "Feature", properties: {}, geometry: {type: "Point", coordinates: drawing.circle}});
      const source = gridMap.map.getSource("src-notice-drawing");
      const data = {type: "FeatureCollection", features};
      if (source) source.setData(data);
      else gridMap.addOverlay({id: "notice-drawing", title: L.draw, source: {type: "geojson", data}, layers: TARGET_STYLE});
    }
    gridMap.map.on("click", (event) => {
      const point = [Number(event.lngLat.lng.toFixed(6)), Number(event.lngLat.lat.toFixed(6))];
      if (drawing.mode === "polygon") drawing.corners.push(point);
      else if (drawing.mode === "circle") { drawing.circle = point; drawing.mode = null; hint.hidden = true; }
      else return;
      drawn();
    });
    document.getElementById("draw-polygon").addEventListener("click", () => {
      drawing.mode = "polygon"; drawing.corners = []; finish.hidden = false;
      hint.textContent = L.tapMap; hint.hidden = false; drawn();
    });
    finish.addEventListener("click", () => { drawing.mode = null; finish.hidden = true; hint.hidden = true; drawn(); });
    document.getElementById("draw-circle").addEventListener("click", () => {
      drawing.mode = "circle"; hint.textContent = L.tapCentre; hint.hidden = false;
    });
    document.getElementById("clear-drawing").addEventListener("click", () => {
      drawing.mode = null; drawing.corners = []; drawing.circle = null; finish.hidden = true; hint.hidden = true; drawn();
    });

    function body() {
      const data = {
        kind: kind.value, title: form.title.value, body: form.body.value,
        valid_from: form.valid_from.value ? form.valid_from.value + ":00+08:00" : null,
        valid_until: form.valid_until.value ? form.valid_until.value + ":00+08:00" : null,
        target_areas: [...form.querySelectorAll("input[name=target_areas]:checked")].map((i) => i.value),
        to_residents: form.to_residents.checked, to_staff: form.to_staff.checked, group: form.group.value || null,
      };
      if (drawing.corners.length > 2) {
        data.polygon = {type: "Polygon", coordinates: [[...drawing.corners, drawing.corners[0]]]};
      }
      if (drawing.circle) {
        data.circle = {lon: drawing.circle[0], lat: drawing.circle[1], radius_m: Number(document.getElementById("radius").value)};
      }
      if (kind.value === "warning") {
        ["cap_category", "event", "urgency", "severity", "certainty", "instruction"].forEach((name) => {
          data[name] = form[name].value;
        });
      }
      return data;
    }
    const reach = document.getElementById("reach");
    document.getElementById("preview").addEventListener("click", async () => {
      try {
        const answer = await GridApi.post(config.noticesUrl + "preview/", body());
        showErrors(form, answer.ok ? {} : answer.body);
        if (!answer.ok) return;
        reach.textContent = `${answer.body.people} ${L.people} · ${answer.body.phones} ${L.phones} · ${answer.body.staff} ${L.staff}`;
        reach.hidden = false;
        showTarget(gridMap, answer.body.target, true);
      } catch (error) { showErrors(form, {detail: L.failed}); }
    });
    form.dataset.ready = "1";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const answer = await GridApi.post(config.noticesUrl, body());
        if (answer.ok) { window.location.href = `/notices/${answer.body.id}/`; return; }
        showErrors(form, answer.body);
      } catch (error) { showErrors(form, {detail: L.failed}); }
    });
  }

  /* ------------------------------------------------------------------ one notice */
  function stepButtons() {
    const form = document.getElementById("notice-actions");
    if (!form) return;
    form.querySelectorAll("button[data-action]").forEach((button) => button.addEventListener("click", async () => {
      if (button.dataset.note && !form.note.value.trim()) { form.note.focus(); }
      try {
        const answer = await GridApi.post(form.dataset.url + button.dataset.action + "/",
                                          {note: form.note.value, version: Number(form.dataset.version)});
        if (answer.ok) { window.location.reload(); return; }
        showErrors(form, answer.body);
      } catch (error) { showErrors(form, {detail: L.failed}); }
    }));
    form.dataset.ready = "1";
  }

  async function oneNotice(gridMap) {
    const notice = await GridMap.fetchJSON(config.noticeUrl);
    showTarget(gridMap, notice.target, true);
  }

  stepButtons();  // at once: the steps do not wait for the map
  GridMap.ready.then((gridMap) => {
    const form = document.getElementById("notice-form");
    if (form) drafting(gridMap, form);
    if (config.noticeUrl) oneNotice(gridMap);
  });
})();
