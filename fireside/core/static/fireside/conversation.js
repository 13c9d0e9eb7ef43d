// The live conversation page. Without this file the page still works: the composer is a
// plain form and htmx polls for new messages. With it, messages arrive over the WebSocket,
// sends go out over it with a client_id, and unsent messages wait in a queue (kept in
// localStorage) until the server acknowledges them, so none is lost or doubled.
(function () {
  "use strict";
  var root = document.getElementById("conversation");
  if (!root || !window.WebSocket) {
    return;
  }
  var conversationId = Number(root.dataset.conversation);
  var me = root.dataset.me;
  var otherName = root.dataset.otherName;
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var field = form ? form.querySelector("textarea") : null;
  var status = document.getElementById("composer-status");
  var MAX_LENGTH = 4000;
  var RETRY_MS = 5000;
  var storeKey = "fireside.outbox." + conversationId;
  var queue = loadQueue();
  var socket = null;
  var isLive = false;
  var backoff = 1000;
  var readSent = 0;

  function loadQueue() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  function saveQueue() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(queue));
    } catch (error) {
      // Private windows may refuse storage; the queue still lives in memory.
    }
  }

  function lastSeq() {
    var highest = 0;
    list.querySelectorAll("li[data-seq]").forEach(function (item) {
      highest = Math.max(highest, Number(item.dataset.seq));
    });
    return highest;
  }

  // Rendering ---------------------------------------------------------------------------

  function relativeTime(iso) {
    var time = document.createElement("time");
    var moment = new Date(iso);
    time.dateTime = iso;
    time.title = moment.toLocaleString();
    time.textContent = "just now";
    return time;
  }

  function paragraph(className, text) {
    var element = document.createElement("p");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function renderMessage(message) {
    var mine = message.author === me;
    var item = document.createElement("li");
    item.id = "m" + message.seq;
    item.className = "message " + (mine ? "mine" : "theirs");
    item.dataset.seq = String(message.seq);
    var meta = paragraph("meta", "");
    var author = document.createElement("span");
    author.className = "author";
    author.textContent = mine ? "You" : otherName;
    meta.append(author, " · ", relativeTime(message.sent_at));
    if (message.edited_at && !message.deleted) {
      meta.append(" · edited");
    }
    item.append(meta);
    if (message.deleted) {
      item.append(paragraph("tombstone", "message deleted"));
    } else {
      var body = document.createElement("div");
      body.className = "prose";
      if (typeof message.body_html === "string") {
        // Sanitised on the server by the same renderer the page uses.
        body.innerHTML = message.body_html;
      } else {
        body.textContent = message.body;
      }
      item.append(body);
      if (mine) {
        var actions = document.createElement("p");
        actions.className = "message-actions";
        var base = window.location.pathname.replace(/\/$/, "") + "/messages/" + message.seq;
        var edit = document.createElement("a");
        edit.href = base + "/edit/";
        edit.textContent = "Edit";
        var remove = document.createElement("a");
        remove.href = base + "/delete/";
        remove.textContent = "Delete";
        actions.append(edit, " ", remove);
        item.append(actions);
      }
    }
    return item;
  }

  function showMessage(message) {
    if (message.conversation !== undefined && message.conversation !== conversationId) {
      return;
    }
    var fresh = renderMessage(message);
    var existing = document.getElementById(fresh.id);
    if (existing) {
      // An edit or a deletion of a message already on the page.
      var seen = existing.querySelector(".seen");
      if (seen) {
        fresh.append(seen);
      }
      existing.replaceWith(fresh);
      return;
    }
    var placeholder = list.querySelector("li.empty");
    if (placeholder) {
      placeholder.remove();
    }
    var later = null;
    list.querySelectorAll("li[data-seq]").forEach(function (item) {
      if (!later && Number(item.dataset.seq) > message.seq) {
        later = item;
      }
    });
    list.insertBefore(fresh, later || firstPending());
    if (message.seq === lastSeq()) {
      setTurn(message.author !== me);
    }
    sendRead();
  }

  function firstPending() {
    return list.querySelector("li.pending");
  }

  function setTurn(isYourTurn) {
    var cue = document.getElementById("turn");
    if (!cue || root.dataset.state !== "active") {
      return;
    }
    cue.classList.toggle("is-your-turn", isYourTurn);
    cue.textContent = isYourTurn
      ? "Your turn — " + otherName + " wrote last."
      : "Waiting for " + otherName + ".";
  }

  function moveSeen(otherReadSeq) {
    var target = null;
    list.querySelectorAll("li.mine[data-seq]").forEach(function (item) {
      if (Number(item.dataset.seq) <= otherReadSeq) {
        target = item;
      }
    });
    if (!target) {
      return;
    }
    var marker = document.getElementById("seen") || paragraph("seen", "Seen");
    marker.id = "seen";
    target.append(marker);
  }

  // Sending -----------------------------------------------------------------------------

  function showError(text) {
    if (!form) {
      return;
    }
    var holder = form.querySelector(".field");
    var errors = holder.querySelector(".errorlist");
    if (!text) {
      holder.classList.remove("field-error");
      if (errors) {
        errors.remove();
      }
      field.removeAttribute("aria-invalid");
      return;
    }
    if (!errors) {
      errors = document.createElement("ul");
      errors.className = "errorlist";
      errors.id = "id_body_error";
      field.before(errors);
    }
    errors.replaceChildren(document.createElement("li"));
    errors.firstChild.textContent = text;
    holder.classList.add("field-error");
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", errors.id);
    field.focus();
  }

  function setStatus(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function showPending(entry) {
    var item = document.createElement("li");
    item.className = "message mine pending";
    item.dataset.clientId = entry.client_id;
    item.append(paragraph("meta", "Sending…"));
    var body = document.createElement("div");
    body.className = "prose";
    body.textContent = entry.body;
    item.append(body);
    list.append(item);
  }

  function dropPending(clientId) {
    queue = queue.filter(function (entry) {
      return entry.client_id !== clientId;
    });
    saveQueue();
    var item = list.querySelector('li.pending[data-client-id="' + CSS.escape(clientId) + '"]');
    if (item) {
      item.remove();
    }
    if (!queue.length) {
      setStatus("");
    }
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function flush() {
    queue.forEach(function (entry) {
      if (isLive) {
        socket.send(
          JSON.stringify({
            type: "send",
            conversation: conversationId,
            body: entry.body,
            client_id: entry.client_id,
          })
        );
      } else if (!entry.posting) {
        postForm(entry);
      }
    });
  }

  // Without a socket, the same form goes to the server; the client_id still makes a
  // later resend return the first message.
  function postForm(entry) {
    entry.posting = true;
    var data = new FormData(form);
    data.set("body", entry.body);
    data.set("client_id", entry.client_id);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        entry.posting = false;
        if (response.ok) {
          dropPending(entry.client_id);
          return catchUp();
        }
        if (response.status === 400) {
          return response.text().then(function (html) {
            var page = new DOMParser().parseFromString(html, "text/html");
            var error = page.querySelector("#composer .errorlist");
            refuse(entry, error ? error.textContent.trim() : "This message was not sent.");
          });
        }
        refuse(entry, "This message was not sent: the conversation may have changed. Reload the page.");
      })
      .catch(function () {
        entry.posting = false;
        setStatus("Offline. Your message will be sent when the connection is back.");
      });
  }

  function refuse(entry, detail) {
    dropPending(entry.client_id);
    if (field && !field.value) {
      field.value = entry.body;
    }
    showError(detail);
  }

  function onSubmit(event) {
    event.preventDefault();
    var body = field.value.trim();
    if (!body) {
      showError("Write a message first.");
      return;
    }
    if (body.length > MAX_LENGTH) {
      showError(
        "A message can have at most 4,000 characters; this one has " +
          body.length.toLocaleString("en") + "."
      );
      return;
    }
    showError("");
    var entry = { client_id: newClientId(), body: body };
    queue.push(entry);
    saveQueue();
    showPending(entry);
    field.value = "";
    field.focus();
    setStatus(isLive ? "" : "Sending…");
    flush();
  }

  // Reading -----------------------------------------------------------------------------

  function sendRead() {
    var seq = lastSeq();
    if (!isLive || document.visibilityState !== "visible" || seq <= readSent) {
      return;
    }
    readSent = seq;
    socket.send(JSON.stringify({ type: "read", conversation: conversationId, seq: seq }));
  }

  function catchUp() {
    var url = root.dataset.api + "?after=" + lastSeq();
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        var items = Array.isArray(data) ? data : (data && (data.items || data.messages)) || [];
        items.forEach(showMessage);
      })
      .catch(function () {
        // The next reconnect or poll tries again.
      });
  }

  // The socket ----------------------------------------------------------------------------

  function onFrame(event) {
    var frame;
    try {
      frame = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (frame.type === "ack") {
      dropPending(frame.client_id);
      showMessage(frame.message);
    } else if (frame.type === "error" && frame.client_id) {
      var entry = queue.find(function (candidate) {
        return candidate.client_id === frame.client_id;
      });
      if (entry && frame.code !== "rate_limited" && frame.code !== "server_error") {
        refuse(entry, frame.detail);
      }
    } else if (frame.conversation !== conversationId) {
      return;
    } else if (frame.type === "message") {
      showMessage(frame.message);
    } else if (frame.type === "read" && frame.member !== me) {
      moveSeen(frame.seq);
    } else if (frame.type === "state" && frame.state !== root.dataset.state) {
      // A new state changes what the page offers (composer, buttons): load it afresh.
      window.location.reload();
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.addEventListener("open", function () {
      isLive = true;
      backoff = 1000;
      readSent = 0;
      root.classList.add("is-live");
      catchUp().then(function () {
        flush();
        sendRead();
      });
    });
    socket.addEventListener("message", onFrame);
    socket.addEventListener("close", function (event) {
      isLive = false;
      root.classList.remove("is-live");
      if (event.code === 4401 || event.code === 4403) {
        return; // Logged out: the page's links lead to the login.
      }
      window.setTimeout(connect, backoff + Math.random() * 500);
      backoff = Math.min(backoff * 2, 30000);
    });
  }

  // htmx polls only while the socket is down; its answer may bring the read marker.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "poller" && isLive) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id === "poller") {
      event.detail.parameters.after = lastSeq();
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var poller = document.getElementById("poller");
    if (poller) {
      moveSeen(Number(poller.dataset.otherReadSeq));
    }
  });
  document.addEventListener("visibilitychange", sendRead);
  if (form) {
    form.addEventListener("submit", onSubmit);
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        form.requestSubmit();
      }
    });
  }
  queue.forEach(showPending);
  window.setInterval(function () {
    if (queue.length) {
      flush();
    }
  }, RETRY_MS);
  connect();
})();
