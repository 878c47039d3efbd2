/*
 * The dispatcher's console on GridMap (iot/templates/iot/dispatch_console.html).
 *
 * - Queue: the open alerts of the user's areas (config.alertsUrl?state=open), SOS and falls
 *   first, flashing red until acknowledged, with a short WebAudio beep when a new one comes.
 * - Live: an EventSource on config.streamUrl; an `alert` event carries the alert's queue
 *   row (as the list gives it): the row is drawn from it at once, the terminal's marker
 *   takes the alert, and the queue is fetched again lazily (RECONCILE_MS later, once for
 *   any number of events meanwhile) — an SOS never waits for the whole queue or the
 *   thousands of terminals to load. An event without a row (too large to announce) reloads
 *   the queue. The selected alert is reloaded when it changes. On (re)connection everything
 *   is reloaded, since events missed meanwhile are not replayed. #live-status shows the
 *   connection.
 * - Map: terminals' last positions (refreshed every 15 s; a terminal's marker at once from
 *   its alerts' events) coloured by their open alert's kind, alert markers from the queue,
 *   the selected elder's track.
 *   Clicking a terminal or an alert selects it.
 * - Detail: elder, device, family contacts, nearest responders, log, and (config.mayAct)
 *   a button per allowed lifecycle step, sent with the version seen (a 409 conflict reloads).
 * - Track: the last 30 minutes by default, any period on demand, and a time-scaled
 *   playback of the fixes (requestAnimationFrame).
 */
(function () {
  "use strict";
  const {config, fetchJSON, element} = GridMap;
  const $ = (id) => document.getElementById(id);
  const text = $("dispatch-text").dataset;  // interface text the template translated
  const T = config.consoleLabels;  // the console's own labels, beside the map page's config.labels

  const URGENT = new Set(["sos", "fall"]);
  const OPEN = new Set(["new", "acknowledged", "dispatched", "on_scene"]);
  const RECONCILE_MS = 10000;  // the queue fetched again this long after live rows were drawn
  const EVENT_ROWS_KEPT_MS = 60000;  // live rows a fetched queue may not overwrite (it may be older)
  // SOS and falls in the alert colour (base.css --alert), which nothing else on any map uses.
  const ALERT_COLOR = getComputedStyle(document.documentElement).getPropertyValue("--alert").trim() || "#d0021b";
  const OTHER_ALERT_COLOR = "#f28c28";
  const KIND_COLORS = {sos: ALERT_COLOR, fall: ALERT_COLOR, left_zone: OTHER_ALERT_COLOR, low_battery: "#e6b800",
                       removed: "#8e44ad", silent: "#6c7a89"};
  const NO_ALERT_COLOR = "#7b93ad";
  const TERMINAL_REFRESH_MS = 15000;
  const LONGEST_PLAYBACK_MS = 60000;
  const EMPTY = {type: "FeatureCollection", features: []};

  const state = {
    alerts: new Map(),      // id -> queue feature
    eventRows: new Map(),   // id -> {feature, at}: rows drawn from live events lately
    known: null,            // ids already seen (null before the first load: no beep for those)
    selected: null,         // selected alert id
    terminal: null,         // terminal id whose track is shown
    detail: null,           // the selected alert's detail feature
    fixes: [],              // [{t, c}] of the loaded track
    trackLive: true,        // the track window follows "now" (not chosen by the user)
    live: false,
    beeps: 0,
    tagNames: {},
    playing: null,          // requestAnimationFrame handle
  };
  window.DispatchConsole = {state};

  /* Run `fn` one at a time; calls made meanwhile collapse into one more run. */
  function serial(fn) {
    let running = null;
    let again = false;
    const run = async () => {
      if (running) { again = true; return running; }
      running = (async () => {
        do {
          again = false;
          try { await fn(); } catch (error) { console.warn(error); }
        } while (again);
      })();
      try { await running; } finally { running = null; }
    };
    return run;
  }

  /* GeoJSON features keep their id beside the properties (rest_framework_gis); the
     console reads it from the properties too. */
  function withId(feature) {
    if (feature && feature.properties && feature.properties.id == null && feature.id != null) {
      feature.properties.id = feature.id;
    }
    return feature;
  }

  // ------------------------------------------------------------------ formatting

  const lang = document.documentElement.lang || undefined;
  let relative;
  try { relative = new Intl.RelativeTimeFormat(lang, {numeric: "auto", style: "short"}); }
  catch (error) { relative = new Intl.RelativeTimeFormat(undefined, {numeric: "auto", style: "short"}); }

  function since(iso) {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return relative.format(-Math.round(seconds), "second");
    if (seconds < 3600) return relative.format(-Math.floor(seconds / 60), "minute");
    if (seconds < 86400) return relative.format(-Math.floor(seconds / 3600), "hour");
    return relative.format(-Math.floor(seconds / 86400), "day");
  }

  // the district's local time (config.timeZone), whatever the dispatcher's device is set to
  const when = (iso) => (iso ? new Date(iso).toLocaleString(lang, {timeZone: config.timeZone || undefined}) : "—");
  const clock = (ms) => new Date(ms).toLocaleTimeString(lang);
  const metres = (m) => (m == null ? "—" : m >= 1000 ? (m / 1000).toFixed(1) + " km" : Math.round(m) + " m");
  const phoneLink = (phone) => (phone ? element("a", {class: "tel", href: "tel:" + phone.replace(/[^0-9+*#]/g, ""),
                                                        text: phone}) : null);
  const kindName = (kind) => text["kind" + kind.replace(/(^|_)(\w)/g, (_m, _u, c) => c.toUpperCase())] || kind;

  // ------------------------------------------------------------------ sound

  let audio = null;
  function audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }
  // Browsers start audio only after a gesture: the first touch or click unlocks it.
  document.addEventListener("pointerdown", () => { try { audioContext(); } catch (error) { /* no audio */ } },
                            {once: true, capture: true});

  /* Two short high tones: a new SOS or fall. */
  function beep() {
    state.beeps += 1;
    if (!$("sound-on").checked) return;
    try {
      const ctx = audioContext();
      if (!ctx) return;
      const t = ctx.currentTime + 0.01;
      [0, 0.25].forEach((offset) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, t + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, t + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + offset + 0.18);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t + offset);
        osc.stop(t + offset + 0.2);
      });
    } catch (error) {
      console.warn(error);
    }
  }

  // ------------------------------------------------------------------ live status

  function setLive(live) {
    state.live = live;
    const badge = $("live-status");
    badge.dataset.state = live ? "live" : "offline";
    badge.textContent = live ? T.live : T.offline;
  }

  GridMap.ready.then((grid) => {
    window.DispatchConsole.grid = grid;
    const map = grid.map;
    $("alert-note").placeholder = T.note;
    $("alert-note").setAttribute("aria-label", T.note);
    $("detail-log-title").textContent = T.log;
    $("track-title").textContent = T.track;
    $("track-from-label").textContent = T.from;
    $("track-to-label").textContent = T.to;
    $("track-play").textContent = T.play;
    $("queue-empty").textContent = T.noAlerts;

    // ---------------------------------------------------------------- map layers

    grid.addOverlay({
      id: "track", title: text.trackTitle, source: {type: "geojson", data: EMPTY},
      legend: null,
      layers: [
        {type: "line", filter: ["==", ["geometry-type"], "LineString"],
         layout: {"line-join": "round", "line-cap": "round"},
         paint: {"line-color": "#2c7fb8", "line-width": 3, "line-opacity": 0.85}},
        {type: "circle", filter: ["==", ["geometry-type"], "Point"],
         paint: {"circle-radius": 3.5, "circle-stroke-color": "#fff", "circle-stroke-width": 1,
                 "circle-color": ["match", ["coalesce", ["get", "zone"], ""], "outside", "#f28c28", "#2c7fb8"]}},
      ],
    });
    grid.addOverlay({
      id: "terminals", title: text.terminals, source: {type: "geojson", data: EMPTY},
      legend: [[kindName("sos") + " / " + kindName("fall"), ALERT_COLOR],
               ...Object.entries(KIND_COLORS).filter(([kind]) => !URGENT.has(kind)).map(([kind, color]) => [kindName(kind), color]),
               [text.noAlert, NO_ALERT_COLOR]],
      layers: [{type: "circle", paint: {
        "circle-radius": ["case", ["to-boolean", ["get", "open_alert_kind"]], 8, 4.5],
        "circle-color": ["match", ["coalesce", ["get", "open_alert_kind"], ""],
                         ...Object.entries(KIND_COLORS).flat(), NO_ALERT_COLOR],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
      }}],
    });
    grid.addOverlay({
      id: "alerts", title: text.alerts, source: {type: "geojson", data: EMPTY},
      legend: [[kindName("sos") + " / " + kindName("fall"), ALERT_COLOR], [text.otherAlerts, OTHER_ALERT_COLOR]],
      layers: [
        // halo of urgent alerts nobody has acknowledged (the pulse: pulsesSync)
        {type: "circle", filter: ["all", ["in", ["get", "kind"], ["literal", [...URGENT]]], ["==", ["get", "state"], "new"]],
         paint: {"circle-radius": 18, "circle-color": ALERT_COLOR, "circle-opacity": 0.35}},
        // the selected alert
        {type: "circle", filter: ["==", ["get", "id"], -1],
         paint: {"circle-radius": 16, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#1d2733",
                 "circle-stroke-width": 3}},
        {type: "circle", layout: {"circle-sort-key": ["case", ["in", ["get", "kind"], ["literal", [...URGENT]]], 1, 0]},
         paint: {
          "circle-radius": 10,
          "circle-color": ["case", ["in", ["get", "kind"], ["literal", [...URGENT]]], ALERT_COLOR, OTHER_ALERT_COLOR],
          "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
        }},
      ],
    });
    /* Unanswered SOS and falls pulse by CSS on markers above the map (at most PULSES; the
       halo layer marks them all): animating the layer would redraw the whole map twice a
       second, and on a slow device a redraw holds the page — and the next alert — for
       hundreds of milliseconds. */
    const PULSES = 50;
    const pulses = new Map();  // alert id -> maplibregl.Marker
    function pulsesSync(rows) {
      const want = new Map(rows.filter((f) => URGENT.has(f.properties.kind) && f.properties.state === "new" && f.geometry)
        .slice(0, PULSES).map((f) => [f.properties.id, f.geometry.coordinates]));
      pulses.forEach((marker, id) => { if (!want.has(id)) { marker.remove(); pulses.delete(id); } });
      want.forEach((point, id) => {
        if (pulses.has(id)) { pulses.get(id).setLngLat(point); return; }
        pulses.set(id, new maplibregl.Marker({element: element("div", {class: "alert-pulse", "data-alert-id": id})})
          .setLngLat(point).addTo(map));
      });
    }

    const clickable = ["alerts-2", "terminals-0"];
    clickable.forEach((layer) => {
      map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
    });

    /* Clicks on an alert or a terminal select it, and the map page's inspect popup (of
       the cells and buildings underneath) is not opened for them. */
    let down = null;
    const container = map.getContainer();
    container.addEventListener("pointerdown", (e) => { down = [e.clientX, e.clientY]; }, true);
    container.addEventListener("click", (event) => {
      if (event.target !== map.getCanvas()) return;
      if (down && Math.hypot(event.clientX - down[0], event.clientY - down[1]) > 6) return;  // a drag
      const rect = map.getCanvas().getBoundingClientRect();
      const x = event.clientX - rect.left;
      const y = event.clientY - rect.top;
      const layers = clickable.filter((id) => map.getLayer(id));
      const features = map.queryRenderedFeatures([[x - 4, y - 4], [x + 4, y + 4]], {layers});
      const alert = features.find((f) => f.layer.id === "alerts-2");
      const terminal = features.find((f) => f.layer.id === "terminals-0");
      if (!alert && !terminal) return;
      event.stopPropagation();
      if (alert) select(Number(alert.properties.id));
      else selectTerminal(terminal.properties.id);
    }, true);

    // ---------------------------------------------------------------- queue

    function rank(p) {
      return (URGENT.has(p.kind) ? 0 : 2) + (p.state === "new" ? 0 : 1);
    }

    function sorted() {
      return [...state.alerts.values()].sort((a, b) => rank(a.properties) - rank(b.properties)
        || Date.parse(b.properties.received_at) - Date.parse(a.properties.received_at) || b.properties.id - a.properties.id);
    }

    function row(feature) {
      const p = feature.properties;
      const urgent = URGENT.has(p.kind);
      const classes = ["alert-row", urgent ? "urgent" : "", urgent && p.state === "new" ? "flash" : "",
                       p.id === state.selected ? "selected" : ""].filter(Boolean).join(" ");
      const choose = () => select(p.id);
      return element("li", {"data-alert-id": p.id, "data-kind": p.kind, "data-state": p.state, class: classes,
                            tabindex: "0", role: "button", "aria-pressed": String(p.id === state.selected),
                            onclick: choose,
                            onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); } }},
        element("span", {class: "kind", text: p.kind_display}),
        // aged by receipt: the device's own time may be years off
        element("time", {class: "since", datetime: p.received_at, title: when(p.received_at), text: since(p.received_at)}),
        element("span", {class: "who", text: (p.elder || p.device_id) + (p.area_name ? " · " + p.area_name : "")}),
        element("span", {class: "tail"},
          element("span", {class: "state state-" + p.state, text: p.state_display}),
          p.repeats ? element("span", {class: "repeats", text: T.repeats + " " + p.repeats}) : null,
          clockOff(p)));
    }

    /* A device whose clock is far off: say so, with the time it claimed. */
    function clockOff(p) {
      if (!p.device_clock_off) return null;
      return element("span", {class: "clock-off", "data-testid": "clock-off",
                              text: text.clockOff + " · " + text.deviceTime + " " + when(p.raised_at)});
    }

    function renderQueue() {
      const rows = sorted();
      $("alert-queue").replaceChildren(...rows.map(row));
      $("queue-count").textContent = rows.length;
      $("queue-empty").hidden = rows.length > 0;
      const source = map.getSource("src-alerts");
      if (source) source.setData({type: "FeatureCollection", features: rows.filter((f) => f.geometry)});
      pulsesSync(rows);
    }

    /* A live row newer than the list's (a list fetched while events came) wins. */
    function withEventRows(features) {
      const now = Date.now();
      const byId = new Map(features.map((f) => [f.properties.id, f]));
      state.eventRows.forEach(({feature, at}, id) => {
        if (now - at > EVENT_ROWS_KEPT_MS) { state.eventRows.delete(id); return; }
        const listed = byId.get(id);
        if (listed && listed.properties.version >= feature.properties.version) return;
        if (OPEN.has(feature.properties.state)) byId.set(id, feature);
        else byId.delete(id);
      });
      return [...byId.values()];
    }

    const loadQueue = serial(async () => {
      const data = await fetchJSON(config.alertsUrl + "?state=open&page_size=1000");
      const features = withEventRows((data.features || []).map(withId));
      const fresh = state.known ? features.filter((f) => !state.known.has(f.properties.id)) : [];
      state.alerts = new Map(features.map((f) => [f.properties.id, f]));
      state.known = new Set([...(state.known || []), ...state.alerts.keys()]);
      renderQueue();
      if (fresh.some((f) => URGENT.has(f.properties.kind) && f.properties.state === "new")) {
        beep();
        // on a phone with the sheet down, a new SOS brings the queue up
        if (window.MapSheet && window.MapSheet.state() === "collapsed") window.MapSheet.setState("half");
      }
    });

    setInterval(() => {
      document.querySelectorAll("#alert-queue time.since").forEach((node) => {
        node.textContent = since(node.getAttribute("datetime"));
      });
    }, 15000);

    // ---------------------------------------------------------------- terminals

    const loadTerminals = serial(async () => {
      const data = await fetchJSON(config.terminalsUrl);
      (data.features || []).forEach(withId);
      const source = map.getSource("src-terminals");
      if (source) source.setData(data);
      state.terminals = data.features || [];
    });
    setInterval(loadTerminals, TERMINAL_REFRESH_MS);

    /* One terminal's marker from its alert's row: the alert's kind, and where it was
       raised (a device report's fix); a terminal not on the map yet is added. */
    function terminalMark(feature, action) {
      const p = feature.properties;
      const open = OPEN.has(p.state);
      const terminals = state.terminals || (state.terminals = []);
      let terminal = terminals.find((f) => f.properties.id === p.terminal);
      const added = !terminal;
      if (added) {
        if (!open || !feature.geometry) return;
        terminal = {type: "Feature", id: p.terminal, geometry: feature.geometry,
                    properties: {id: p.terminal, device_id: p.device_id, elder: p.elder, person: p.person}};
        terminals.push(terminal);
      }
      const moved = open && feature.geometry && (action === "raised" || action === "repeat");
      if (open) {
        terminal.properties.open_alert_kind = p.kind;
        terminal.properties.open_alert_id = p.id;
        if (moved) terminal.geometry = feature.geometry;
      } else if (terminal.properties.open_alert_id === p.id) {
        terminal.properties.open_alert_kind = null;
        terminal.properties.open_alert_id = null;
      } else {
        return;
      }
      const source = map.getSource("src-terminals");
      if (!source) return;
      // the one feature, not the thousands of the layer again
      const props = terminal.properties;
      try {
        source.updateData(added ? {add: [terminal]} : {update: [{
          id: p.terminal, newGeometry: moved ? terminal.geometry : undefined,
          addOrUpdateProperties: [{key: "open_alert_kind", value: props.open_alert_kind},
                                  {key: "open_alert_id", value: props.open_alert_id}]}]});
      } catch (error) {
        source.setData({type: "FeatureCollection", features: terminals});
      }
    }

    // ---------------------------------------------------------------- detail

    function part(id, title, ...children) {
      const node = $(id);
      node.hidden = children.every((c) => c == null);
      node.replaceChildren(element("h4", {text: title}), ...children.filter((c) => c != null));
    }

    function field(label, value) {
      return element("div", {class: "field"}, element("span", {class: "label", text: label}),
                     typeof value === "string" || typeof value === "number"
                       ? element("span", {class: "value", text: String(value)}) : value);
    }

    function renderDevice(device) {
      if (!device) return part("detail-device", T.device, null);
      const fix = device.last_fix_at ? when(device.last_fix_at) + (device.last_accuracy_m != null
        ? " (" + T.accuracy + " ±" + Math.round(device.last_accuracy_m) + " m)" : "") : "—";
      part("detail-device", T.device,
        field("ID", device.device_id),
        field(T.battery, device.battery == null ? "—" : device.battery + "%"),
        field(T.signal, device.signal == null ? "—" : String(device.signal)),
        field(T.lastFix, fix),
        device.last_gps_fix == null ? null : field("GPS", device.last_gps_fix ? text.gpsLock : text.noGpsLock));
    }

    function renderDetail(feature) {
      const p = feature.properties;
      const box = $("alert-detail");
      const changed = box.dataset.alertId !== String(p.id);
      box.hidden = false;
      box.dataset.alertId = p.id;
      box.dataset.terminalId = "";
      box.dataset.state = p.state;
      box.dataset.version = p.version;
      if (changed) { $("alert-message").hidden = true; $("alert-note").value = ""; }
      $("detail-title").textContent = p.kind_display + " · " + (p.elder || p.device_id);
      const badge = $("detail-state");
      badge.textContent = p.state_display;
      badge.className = "state-badge state-" + p.state + (URGENT.has(p.kind) ? " urgent" : "");
      $("detail-empty").hidden = true;
      $("detail-meta").textContent = [p.area_name, when(p.received_at), p.repeats ? T.repeats + " " + p.repeats : null]
        .filter(Boolean).join(" · ");
      $("detail-clock").hidden = !p.device_clock_off;
      $("detail-clock").textContent = p.device_clock_off ? text.clockOff + " · " + text.deviceTime + " " + when(p.raised_at) : "";

      const elder = p.elder_detail;
      if (elder) {
        const gender = elder.gender === "M" ? text.male : elder.gender === "F" ? text.female : "";
        const tags = (elder.tags || []).map((code) => element("span", {class: "tag", "data-tag": code,
                                                                       text: state.tagNames[code] || code}));
        part("detail-elder", T.elder,
          element("div", {class: "elder-name", text: elder.name}),
          field(T.age, [elder.age, gender].filter((v) => v !== null && v !== undefined && v !== "").join(" · ") || "—"),
          tags.length ? element("div", {class: "tags"}, ...tags) : null,
          field(T.home, elder.home_address || "—"),
          elder.phone ? field(text.phone, phoneLink(elder.phone)) : null);
      } else {
        part("detail-elder", T.elder, element("div", {class: "elder-name", text: p.elder || "—"}));
      }
      renderDevice(p.terminal_state);
      const contacts = [...(p.contacts || [])].sort((a, b) => a.priority - b.priority);
      part("detail-contacts", T.contacts, contacts.length ? element("ul", {class: "people", id: "alert-contacts"},
        ...contacts.map((c) => element("li", {"data-contact": c.name},
          element("span", {text: c.name + (c.relation ? " (" + c.relation + ")" : "")}), phoneLink(c.phone))))
        : element("p", {class: "muted", text: "—"}));
      const responders = [...(p.responders || [])].sort((a, b) => a.distance_m - b.distance_m);
      part("detail-responders", T.responders, responders.length ? element("ol", {class: "people", id: "alert-responders"},
        ...responders.map((r) => element("li", {"data-responder": r.kind + ":" + r.id},
          element("span", {text: r.name}),
          element("small", {text: [r.kind === "grid_leader" ? T.gridLeader : T.volunteer, r.area_name,
                                   metres(r.distance_m)].filter(Boolean).join(" · ")}),
          phoneLink(r.phone))))
        : element("p", {class: "muted", text: "—"}));

      const actions = config.mayAct ? (p.actions || []) : [];
      $("detail-steps").hidden = actions.length === 0;
      $("alert-actions").replaceChildren(...actions.map((action) => element("button", {
        type: "button", class: "button step step-" + action, "data-action": action, text: T[action] || action,
        onclick: () => advance(action),
      })));
      $("detail-log").hidden = false;
      $("alert-events").replaceChildren(...(p.events || []).map((e) => element("li", {"data-action": e.action},
        element("time", {datetime: e.at, text: when(e.at)}),
        element("span", {class: "what", text: T[e.action] || text["event" + e.action.replace(/(^|_)(\w)/g,
          (_m, _u, c) => c.toUpperCase())] || e.action}),
        e.user ? element("span", {class: "user", text: e.user}) : null,
        e.note ? element("q", {class: "note", text: e.note}) : null)));
    }

    /* A terminal without an open alert: its device state only. */
    function renderTerminal(feature) {
      const p = feature.properties;
      const box = $("alert-detail");
      box.hidden = false;
      box.dataset.alertId = "";
      box.dataset.terminalId = p.id;
      box.dataset.state = "";
      $("detail-empty").hidden = true;
      $("detail-clock").hidden = true;
      $("alert-message").hidden = true;
      $("detail-title").textContent = (p.elder || p.device_id);
      $("detail-state").textContent = text.noAlert;
      $("detail-state").className = "state-badge";
      $("detail-meta").textContent = p.last_seen_at ? since(p.last_seen_at) : "";
      part("detail-elder", T.elder, element("div", {class: "elder-name", text: p.elder || "—"}));
      renderDevice({device_id: p.device_id, battery: p.battery, signal: p.signal, last_fix_at: p.last_fix_at,
                    last_accuracy_m: p.last_accuracy_m});
      part("detail-contacts", T.contacts, null);
      part("detail-responders", T.responders, null);
      $("detail-steps").hidden = true;
      $("detail-log").hidden = true;
    }

    function message(value) {
      const node = $("alert-message");
      node.textContent = value || "";
      node.hidden = !value;
    }

    async function loadDetail(id) {
      const feature = withId(await fetchJSON(config.alertsUrl + id + "/"));
      if (state.selected !== id) return null;
      state.detail = feature;
      renderDetail(feature);
      return feature;
    }

    function highlight() {
      if (map.getLayer("alerts-1")) map.setFilter("alerts-1", ["==", ["get", "id"], state.selected == null ? -1 : state.selected]);
      document.querySelectorAll("#alert-queue li").forEach((li) => {
        const on = li.dataset.alertId === String(state.selected);
        li.classList.toggle("selected", on);
        li.setAttribute("aria-pressed", String(on));
      });
    }

    async function select(id) {
      state.selected = id;
      highlight();
      let feature;
      try {
        feature = await loadDetail(id);
      } catch (error) {
        message(text.failed);
        return;
      }
      if (!feature) return;
      if (window.MapSheet) window.MapSheet.show($("alert-detail"));
      const point = feature.geometry && feature.geometry.coordinates;
      // On phones the marker goes to the middle of the map the sheet leaves in view.
      const covered = window.MapSheet ? window.MapSheet.covered() : 0;
      if (point) map.easeTo({center: point, zoom: Math.max(map.getZoom(), 15), offset: [0, -covered / 2]});
      showTrack(feature.properties.terminal);
    }

    function selectTerminal(id) {
      const feature = (state.terminals || []).find((f) => f.properties.id === id);
      if (!feature) return;
      if (feature.properties.open_alert_id) { select(feature.properties.open_alert_id); return; }
      state.selected = null;
      state.detail = null;
      highlight();
      renderTerminal(feature);
      showTrack(id);
    }

    async function advance(action) {
      const id = state.selected;
      const p = state.detail && state.detail.properties;
      if (!p || p.id !== id) return;
      const buttons = [...document.querySelectorAll("#alert-actions button")];
      buttons.forEach((b) => { b.disabled = true; });
      message("");
      try {
        const {ok, status, body} = await GridApi.post(config.alertsUrl + id + "/advance/",
                                              {action, note: $("alert-note").value, version: p.version});
        if (ok) {
          $("alert-note").value = "";
          await loadDetail(id);
        } else {
          await loadDetail(id);
          if (status === 409) message(T.conflict);
          else message(GridApi.errorText(body) || text.failed);
        }
      } catch (error) {
        message(text.failed);
        buttons.forEach((b) => { b.disabled = false; });
      }
      loadQueue();
      loadTerminals();
    }

    // ---------------------------------------------------------------- track and playback

    function inputValue(date) {
      const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
      return local.toISOString().slice(0, 16);
    }

    function showTrack(terminalId) {
      stopPlayback();
      state.terminal = terminalId;
      state.trackLive = true;
      $("track-box").hidden = false;
      loadTrack();
    }

    /* The period: the last 30 minutes while it follows "now", else the inputs (the "to"
       minute included whole). */
    function period() {
      if (state.trackLive) {
        const until = new Date();
        const sinceDate = new Date(until.getTime() - 30 * 60000);
        $("track-from").value = inputValue(sinceDate);
        $("track-to").value = inputValue(until);
        return [sinceDate, until];
      }
      const from = new Date($("track-from").value);
      const to = new Date($("track-to").value);
      if (!isNaN(to)) to.setSeconds(59, 999);
      return [from, to];
    }

    const loadTrack = serial(async () => {
      const terminalId = state.terminal;
      if (terminalId == null) return;
      const [from, to] = period();
      if (isNaN(from) || isNaN(to)) return;
      let data;
      try {
        data = await fetchJSON(config.terminalsUrl + terminalId + "/track/?since=" + encodeURIComponent(from.toISOString())
                               + "&until=" + encodeURIComponent(to.toISOString()));
      } catch (error) {
        $("track-info").textContent = text.failed;
        return;
      }
      if (state.terminal !== terminalId) return;
      map.getSource("src-track").setData(data);
      state.track = data;
      state.fixes = data.features.filter((f) => f.geometry && f.geometry.type === "Point")
        .map((f) => ({t: Date.parse(f.properties.time), c: f.geometry.coordinates}))
        .sort((a, b) => a.t - b.t);
      $("track-box").dataset.fixes = state.fixes.length;
      $("track-info").textContent = state.fixes.length
        ? state.fixes.length + " " + text.fixes + " · " + clock(state.fixes[0].t) + " – " + clock(state.fixes[state.fixes.length - 1].t)
        : text.noFixes;
      $("track-play").disabled = state.fixes.length < 2;
    });

    /* The map shows the whole track (playback, a period the user chose). */
    function fitTrack() {
      if (!state.fixes.length) return;
      const bounds = new maplibregl.LngLatBounds(state.fixes[0].c, state.fixes[0].c);
      state.fixes.forEach((fix) => bounds.extend(fix.c));
      map.fitBounds(bounds, {padding: 60, maxZoom: 17, duration: 0});
    }

    let marker = null;
    function stopPlayback() {
      if (state.playing) cancelAnimationFrame(state.playing);
      state.playing = null;
      $("track-play").classList.remove("playing");
      $("track-box").dataset.playing = "false";
    }

    function play() {
      if (state.playing) { stopPlayback(); return; }
      const fixes = state.fixes;
      if (fixes.length < 2) return;
      fitTrack();
      const t0 = fixes[0].t;
      const t1 = fixes[fixes.length - 1].t;
      // time-scaled: the chosen speed, but a playback lasts at most a minute
      const speed = Math.max(Number($("track-speed").value) || 60, (t1 - t0) / LONGEST_PLAYBACK_MS);
      if (!marker) marker = new maplibregl.Marker({element: element("div", {class: "playback-marker", id: "playback-marker"})});
      marker.setLngLat(fixes[0].c).addTo(map);
      $("track-play").classList.add("playing");
      $("track-box").dataset.playing = "true";
      let start = null;
      let i = 0;
      const step = (now) => {
        if (start === null) start = now;
        const sim = Math.min(t1, t0 + (now - start) * speed);
        while (i < fixes.length - 2 && fixes[i + 1].t <= sim) i += 1;
        const a = fixes[i];
        const b = fixes[i + 1];
        const f = b.t > a.t ? Math.min(1, Math.max(0, (sim - a.t) / (b.t - a.t))) : 1;
        marker.setLngLat([a.c[0] + (b.c[0] - a.c[0]) * f, a.c[1] + (b.c[1] - a.c[1]) * f]);
        $("track-info").textContent = clock(sim);
        $("track-box").dataset.playbackTime = new Date(sim).toISOString();
        if (sim >= t1) { stopPlayback(); return; }
        state.playing = requestAnimationFrame(step);
      };
      state.playing = requestAnimationFrame(step);
    }

    $("track-load").addEventListener("click", async () => {
      stopPlayback();
      state.trackLive = false;
      await loadTrack();
      fitTrack();
    });
    ["track-from", "track-to"].forEach((id) => $(id).addEventListener("change", () => { state.trackLive = false; }));
    $("track-play").addEventListener("click", play);

    // ---------------------------------------------------------------- live stream

    let reconcile = null;
    function reconcileSoon() {
      if (reconcile) return;
      reconcile = setTimeout(() => { reconcile = null; loadQueue(); }, RECONCILE_MS);
    }

    /* Draw the row the event carries at once; the list is fetched again later. */
    function rowApply(change) {
      const feature = withId(change.row);
      const p = feature.properties;
      state.eventRows.set(p.id, {feature, at: Date.now()});
      const known = state.alerts.has(p.id) || (state.known && state.known.has(p.id));
      if (OPEN.has(p.state)) state.alerts.set(p.id, feature);
      else state.alerts.delete(p.id);
      if (state.known) state.known.add(p.id);
      renderQueue();
      if (!known && change.action !== "repeat" && URGENT.has(p.kind) && p.state === "new") {  // a repeat beeps below
        beep();
        if (window.MapSheet && window.MapSheet.state() === "collapsed") window.MapSheet.setState("half");
      }
      terminalMark(feature, change.action);
      reconcileSoon();
    }

    function onAlertEvent(event) {
      let change;
      try { change = JSON.parse(event.data); } catch (error) { return; }
      if (change.row) {
        rowApply(change);
      } else {
        loadQueue();
        // The terminals layer is large (every terminal in the user's areas): it follows on
        // its own timer, and at once only for an SOS or a fall.
        if (URGENT.has(change.kind)) loadTerminals();
      }
      if (change.action === "repeat" && URGENT.has(change.kind) && change.state === "new") beep();
      if (change.id === state.selected) {
        loadDetail(change.id).catch(() => {});
        if (state.trackLive) loadTrack();
      }
    }

    function connect() {
      const source = new EventSource(config.streamUrl);
      source.addEventListener("open", () => {
        setLive(true);
        loadQueue();
        loadTerminals();
        if (state.selected != null) loadDetail(state.selected).catch(() => {});
      });
      source.addEventListener("error", () => {
        setLive(false);
        // EventSource retries by itself unless the server refused the stream.
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
      });
      source.addEventListener("alert", onAlertEvent);
      window.DispatchConsole.source = source;
    }

    fetchJSON(config.personTagsUrl || "/api/v1/person-tags/").then((tags) => {
      (Array.isArray(tags) ? tags : tags.results || []).forEach((t) => { state.tagNames[t.code] = t.name; });
      document.querySelectorAll("#detail-elder .tag").forEach((node) => {
        node.textContent = state.tagNames[node.dataset.tag] || node.dataset.tag;
      });
    }).catch(() => {});

    // On or off duty (PATCH /api/v1/me/): on duty, supervisors hear of an SOS left open.
    const duty = $("on-duty");
    if (duty) duty.addEventListener("change", async () => {
      const response = await fetch("/api/v1/me/", {
        method: "PATCH", credentials: "same-origin", body: JSON.stringify({on_duty: duty.checked}),
        headers: {Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": GridApi.csrfToken()},
      }).catch(() => null);
      if (!response || !response.ok) duty.checked = !duty.checked;
    });

    Object.assign(window.DispatchConsole, {select, selectTerminal, loadQueue, loadTerminals, loadTrack, play, beep});
    setLive(false);
    $("live-status").dataset.state = "connecting";
    loadQueue();
    loadTerminals();
    connect();
  });
})();
