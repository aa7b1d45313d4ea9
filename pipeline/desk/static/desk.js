// The desk console: live alerts over server-sent events, feedback without a
// page reload, filters that apply on change. Plain JavaScript, no build step.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function live() {
  const el = document.getElementById("live");
  const list = document.getElementById("alerts");
  if (!el || !list || !window.EventSource) return;
  if (el.dataset.off) { el.textContent = "paused: older page"; return; }
  const es = new EventSource(el.dataset.events);
  es.onopen = () => { el.textContent = "● live"; el.classList.add("on"); };
  es.onerror = () => { el.textContent = "○ reconnecting"; el.classList.remove("on"); };
  es.addEventListener("alert", (ev) => {
    const msg = JSON.parse(ev.data);
    if (document.getElementById("alert-" + msg.id)) return;
    const t = document.createElement("template");
    t.innerHTML = msg.html.trim();
    const group = t.content.firstElementChild;
    group.querySelector(".alert").classList.add("fresh");
    // An article already shown takes the new rule into its group, which
    // moves to the top.
    const shown = [...list.querySelectorAll(".group")].find((g) => g.dataset.article === msg.article);
    if (shown) {
      shown.querySelector(".rules").prepend(group.querySelector(".alert"));
      list.prepend(shown);
    } else {
      list.prepend(group);
    }
    const empty = document.getElementById("empty");
    if (empty) empty.remove();
  });
  es.addEventListener("lagged", () => {
    el.textContent = "● live (some skipped: reload)";
  });
}

async function sendFeedback(form, verdict) {
  const data = new FormData(form);
  const body = { verdict: verdict || data.get("verdict") };
  for (const k of ["alert_id", "article_id", "rule"]) if (data.get(k)) body[k] = data.get(k);
  const res = await fetch("/api/feedback", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(out.error || res.statusText);
  return out;
}

function feedback() {
  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!form.matches("form.fb, form[data-fb]")) return;
    ev.preventDefault();
    const verdict = ev.submitter && ev.submitter.name === "verdict" ? ev.submitter.value : "";
    const note = document.createElement("span");
    try {
      const fb = await sendFeedback(form, verdict);
      note.className = "done v-" + fb.verdict;
      note.textContent = fb.verdict === "missed" ? "recorded: should match " + fb.rule : "recorded: " + fb.verdict;
      form.replaceWith(note);
    } catch (err) {
      note.className = "failed";
      note.textContent = err.message;
      form.after(note);
      setTimeout(() => note.remove(), 6000);
    }
  });
}

function filters() {
  const form = document.getElementById("filters");
  if (!form) return;
  form.addEventListener("change", () => {
    // Empty fields stay out of the URL, so shared links stay short.
    for (const el of form.elements) if (el.name && !el.value) el.disabled = true;
    form.submit();
  });
}

document.addEventListener("DOMContentLoaded", () => { live(); feedback(); filters(); });
