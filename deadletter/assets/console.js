// bc2sf dead-letter console: optional enhancements. Every action also works
// as a plain form POST without this script.
"use strict";

(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  function flash(text, bad) {
    const el = document.getElementById("flash");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("bad", !!bad);
    el.hidden = false;
  }

  async function post(path, body) {
    const resp = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await resp.json(); } catch (e) { /* not JSON */ }
    if (!resp.ok) throw new Error(data.error || ("HTTP " + resp.status));
    return data;
  }

  function removeRows(ids) {
    for (const id of ids) {
      for (const tr of document.querySelectorAll("#letters tbody tr")) {
        if (tr.dataset.id === id) tr.remove();
      }
    }
    const left = document.querySelectorAll("#letters tbody tr").length;
    const matched = document.getElementById("matched");
    if (matched) matched.textContent = String(Math.max(0, Number(matched.textContent) - ids.length));
    if (left === 0) {
      const table = document.getElementById("letters");
      if (table) table.hidden = true;
      const empty = document.getElementById("empty");
      if (empty) empty.hidden = false;
    }
  }

  function plural(n, one, many) { return n === 1 ? one : many; }

  async function onSubmit(ev) {
    const form = ev.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
      return;
    }
    const kind = form.dataset.api;
    if (!kind) return;
    ev.preventDefault();
    const data = new FormData(form);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      if (kind === "replay") {
        const ids = data.getAll("id");
        if (ids.length === 0) { flash("Select at least one dead letter.", true); return; }
        const res = await post("api/replay", { ids: ids });
        removeRows(ids);
        let msg = "Replayed " + res.replayed + " dead " + plural(res.replayed, "letter", "letters") + ".";
        if (res.missing && res.missing.length) msg += " " + res.missing.length + " no longer there.";
        flash(msg);
      } else if (kind === "delete") {
        const id = data.get("id");
        await post("api/delete", { id: id });
        removeRows([id]);
        flash("Deleted 1 dead letter.");
      } else if (kind === "replay-reason") {
        const reason = data.get("reason") || "";
        const res = await post("api/replay", { all: true, reason: reason });
        const q = new URLSearchParams({ done: "replayed", n: String(res.replayed) });
        if (reason) q.set("reason", reason);
        window.location.assign("./?" + q.toString());
      }
    } catch (err) {
      flash(err.message, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  async function refreshStats() {
    try {
      const resp = await fetch("api/stats", { credentials: "same-origin" });
      if (!resp.ok) return;
      const st = await resp.json();
      for (const el of document.querySelectorAll("[data-stat]")) {
        const text = st.text && st.text[el.dataset.stat];
        if (typeof text === "string") el.textContent = text;
      }
    } catch (e) { /* keep the last figures */ }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("submit", onSubmit);
    const all = document.getElementById("select-all");
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        for (const box of document.querySelectorAll('#letters input[type="checkbox"][name="id"]')) box.checked = all.checked;
      });
    }
    if (document.getElementById("stats")) {
      setInterval(refreshStats, 10000);
    }
  });
})();
