/*
 * The grid leader's building and person pages (grids/templates/grids/building.html,
 * person.html): choose a room and move a person in (POST /api/v1/residences/) or register
 * a new resident there (POST /api/v1/people/), add a house (POST /api/v1/houses/), move out
 * (POST /api/v1/residences/{id}/move-out/), record a visit with the GPS fix and photos
 * (POST /api/v1/visits/). Errors show the field and the reason; success reloads the page,
 * which the server renders from the database.
 */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const text = $("workspace-text").dataset;

  /* person: each tag outlined in its colour (set here: the CSP refuses style attributes) */
  document.querySelectorAll(".tag[data-color]").forEach((tag) => { tag.style.borderColor = tag.dataset.color; });

  function post(url, body, errorBox) {
    errorBox.hidden = true;
    return GridApi.post(url, body).then(({ok, body: answer}) => {
      if (ok) { window.location.reload(); return; }
      errorBox.hidden = false;
      errorBox.textContent = GridApi.errorText(answer);
    }).catch(() => { errorBox.hidden = false; errorBox.textContent = text.failed; });
  }

  /* building: the unit switcher marks the unit shown (CSS shows it: #unit-N, else the first) */
  const unitTabs = document.querySelectorAll(".unit-tabs a");
  function markUnit() {
    const shown = document.querySelector(".unit:target") || document.querySelector(".unit");
    unitTabs.forEach((a) => {
      if (shown && a.getAttribute("href") === "#" + shown.id) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }
  if (unitTabs.length) { markUnit(); window.addEventListener("hashchange", markUnit); }

  /* building: choose a room, find a person, move in */
  const moveIn = $("move-in");
  if (moveIn) {
    document.querySelectorAll("td.room[data-house]").forEach((cell) => {
      const choose = () => {
        document.querySelectorAll("td.room.chosen").forEach((c) => c.classList.remove("chosen"));
        cell.classList.add("chosen");
        $("move-in-house-id").value = cell.dataset.house;
        $("move-in-house").textContent = cell.dataset.label;
        moveIn.hidden = false;
        $("person-search").focus();
      };
      cell.addEventListener("click", (e) => { if (e.target.tagName !== "A") choose(); });
      cell.addEventListener("keydown", (e) => { if (e.key === "Enter") choose(); });
    });
    let timer = null;
    $("person-search").addEventListener("input", () => {
      clearTimeout(timer);
      const q = $("person-search").value.trim();
      if (q.length < 1) return;
      timer = setTimeout(() => fetch("/api/v1/people/?page_size=10&search=" + encodeURIComponent(q),
                                     {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then((r) => r.json()).then((body) => {
          $("person-results").replaceChildren(...(body.results || []).map((p) => {
            const li = document.createElement("li");
            li.textContent = p.name + (p.id_number ? " · " + p.id_number : "");
            li.tabIndex = 0;
            li.dataset.person = p.id;
            li.addEventListener("click", () => {
              $("move-in-person").value = p.id;
              $("person-search").value = p.name;
              $("person-results").replaceChildren();
            });
            return li;
          }));
        }), 250);
    });
    $("new-person-submit").addEventListener("click", () => {
      const body = {name: $("new-person-name").value.trim(), id_number: $("new-person-id").value.trim() || null,
                    phone: $("new-person-phone").value.trim(), house: +$("move-in-house-id").value,
                    relation: $("move-in-relation").value, moved_in: $("move-in-date").value};
      post("/api/v1/people/", body, $("move-in-error"));
    });
    $("add-house").addEventListener("submit", (e) => {
      e.preventDefault();
      post("/api/v1/houses/", {building: +$("add-house-building").value, unit: +$("add-house-unit").value,
                               floor: +$("add-house-floor").value, room: $("add-house-room").value.trim(),
                               use: $("add-house-use").value}, $("add-house-error"));
    });
    moveIn.addEventListener("submit", (e) => {
      e.preventDefault();
      post("/api/v1/residences/", {house: +$("move-in-house-id").value, person: +$("move-in-person").value || null,
                                   relation: $("move-in-relation").value, moved_in: $("move-in-date").value},
           $("move-in-error"));
    });
  }

  /* person: move out, record a visit */
  document.querySelectorAll("button.move-out").forEach((button) => button.addEventListener("click", () => {
    if (!window.confirm(text.movedOut)) return;
    const today = new Date().toISOString().slice(0, 10);
    post("/api/v1/residences/" + button.dataset.residence + "/move-out/", {moved_out: today}, $("visit-error") || button);
  }));

  const visit = $("visit-form");
  if (visit) {
    visit.addEventListener("submit", (e) => {
      e.preventDefault();
      const form = new FormData(visit);
      if (!visit.elements.photos.files.length) form.delete("photos");  // no empty file part
      form.append("person", visit.dataset.person);
      const send = () => post("/api/v1/visits/", form, $("visit-error"));
      if (!$("visit-gps").checked || !navigator.geolocation) { send(); return; }
      navigator.geolocation.getCurrentPosition((position) => {
        form.append("lon", position.coords.longitude);
        form.append("lat", position.coords.latitude);
        send();
      }, send, {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
    });
  }
})();
