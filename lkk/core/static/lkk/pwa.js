// The installable app (P2): registers the service worker, and the profile's Web Push opt-in.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function say(box, text) {
    var status = box.querySelector("[data-push-status]");
    if (status) {
      status.textContent = text;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-push-optin]");
    if (!box) {
      return;
    }
    var button = box.querySelector("button");
    if (!("PushManager" in window) || !("Notification" in window)) {
      button.disabled = true;
      say(box, box.getAttribute("data-unsupported"));
      return;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          throw new Error("denied");
        }
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-vapid-key")),
        });
      }).then(function (subscription) {
        var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
        return fetch(box.getAttribute("data-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify(subscription.toJSON()),
        });
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("refused");
        }
        say(box, box.getAttribute("data-done"));
      }).catch(function () {
        button.disabled = false;
        say(box, box.getAttribute("data-failed"));
      });
    });
  });
})();
