// The workbench's few interactions, in plain JavaScript served by the workbench itself:
// move sections up and down, grey out an unticked one, and run a build with progress.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function setUpOutline() {
  document.querySelectorAll("[data-up], [data-down]").forEach((button) => {
    button.addEventListener("click", () => {
      const item = button.closest("li.section");
      if (button.hasAttribute("data-up") && item.previousElementSibling) {
        item.parentNode.insertBefore(item, item.previousElementSibling);
      } else if (button.hasAttribute("data-down") && item.nextElementSibling) {
        item.parentNode.insertBefore(item.nextElementSibling, item);
      }
      button.focus();
    });
  });
  document.querySelectorAll("[data-keep]").forEach((box) => {
    box.addEventListener("change", () => {
      box.closest("li.section").classList.toggle("off", !box.checked);
    });
  });
}

// Unsaved changes: the build prints what is saved, so say so, and ask before leaving.
function setUpDirty() {
  const form = document.getElementById("outline-form");
  if (!form) return;
  const notice = document.getElementById("unsaved");
  let dirty = false;
  const mark = () => {
    dirty = true;
    if (notice) notice.hidden = false;
  };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  form.querySelectorAll("[data-up], [data-down]").forEach((b) => b.addEventListener("click", mark));
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}

function setUpBuild() {
  const panel = document.getElementById("build-panel");
  if (!panel) return;
  const button = document.getElementById("build");
  const progress = panel.querySelector(".progress");
  const bar = document.getElementById("build-bar");
  const status = document.getElementById("build-status");
  const error = document.getElementById("build-error");
  const warnings = document.getElementById("build-warnings");
  const download = document.getElementById("downloads");
  const previews = document.getElementById("previews");

  function show(build) {
    const share = Math.round((100 * build.step) / build.steps);
    bar.className = "w" + Math.min(100, Math.max(0, Math.round(share / 10) * 10));
    status.textContent = build.state === "done"
      ? `已生成，共 ${build.pages} 页。`
      : `第 ${build.step} 步，共 ${build.steps} 步：${build.label}……`;
    warnings.replaceChildren(...build.warnings.map((w) => {
      const li = document.createElement("li");
      li.textContent = w;
      return li;
    }));
  }

  function finished(build) {
    button.disabled = false;
    panel.dataset.state = build.state;
    if (build.state === "failed") {
      error.textContent = "没有生成成功：" + build.error;
      error.hidden = false;
      return;
    }
    download.hidden = false;
    download.querySelectorAll("a").forEach((link) => { link.hidden = false; });
    const stamp = Date.now();
    previews.replaceChildren();
    for (let page = 1; page <= build.previews; page++) {
      const img = document.createElement("img");
      img.src = panel.dataset.preview.replace(/0\.png$/, `${page}.png`) + `?t=${stamp}`;
      img.alt = `第 ${page} 页预览`;
      img.loading = "lazy";
      previews.append(img);
    }
  }

  async function poll(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const build = await response.json();
    show(build);
    if (build.state === "running") {
      setTimeout(() => poll(url), 700);
    } else {
      finished(build);
    }
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    error.hidden = true;
    panel.dataset.state = "running";
    progress.hidden = false;
    try {
      const response = await fetch(panel.dataset.start, {
        method: "POST",
        headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`服务器回答 ${response.status}`);
      const build = await response.json();
      show(build);
      poll(`/builds/${build.id}`);
    } catch (exc) {
      finished({ state: "failed", error: String(exc) });
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpOutline();
  setUpDirty();
  setUpBuild();
  document.querySelectorAll("[data-back]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  });
});
