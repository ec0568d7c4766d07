// MoryFlow chat page: pick a model, send a message, watch the answer stream in. Talks to the hub's own
// OpenAI-compatible API (/v1) with the gateway token, which stays in this browser's localStorage.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var tokenInput = $('token'), modelSelect = $('model'), info = $('model-info'), conversation = $('conversation');
  var message = $('message'), sendButton = $('send'), stopButton = $('stop'), status = $('status');
  var models = {};
  var running = null;

  function token() { return localStorage.getItem('moryflow.token') || ''; }
  function headers() { return { 'Authorization': 'Bearer ' + token(), 'Content-Type': 'application/json' }; }
  function setStatus(text) { status.textContent = text || ''; }

  function turn(kind, text) {
    var div = document.createElement('div');
    div.className = 'turn ' + kind;
    div.textContent = text;
    conversation.appendChild(div);
    div.scrollIntoView({ block: 'end' });
    return div;
  }

  function showError(target, err) {
    target.className = 'turn error';
    target.textContent = err.message || String(err);
    if (err.fix) {
      var fix = document.createElement('span');
      fix.className = 'fix';
      fix.textContent = err.fix;
      target.appendChild(fix);
    }
  }

  // the hub's errors say what happened, then what to do: "…. Confirm the model ID …"
  // a 401 that names a provider (X-MoryFlow-Provider) is the provider refusing the hub's key, not the token
  function errorFrom(status, body, provider) {
    var e = body && body.error ? body.error : null;
    var text = e && e.message ? e.message : ('The hub answered HTTP ' + status + '.');
    if (provider && text.indexOf("provider '" + provider + "'") < 0) {
      text = "provider '" + provider + "': " + text; // the provider's own words, and whose they are
    }
    if (status === 401 && !provider) {
      return { message: 'The gateway token was not accepted.', fix: 'Paste the token the hub printed on its console at first start, or the one set in configuration moryflow.gateway.' };
    }
    var cut = text.indexOf('. ');
    return cut > 0 ? { message: text.slice(0, cut + 1), fix: text.slice(cut + 2) } : { message: text };
  }

  function loadModels() {
    setStatus('Loading models…');
    // every model, each with its status: one that cannot answer now is shown with the reason, not offered
    return fetch('/v1/models?all=true', { headers: headers() }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) { throw errorFrom(r.status, body); }
        return body.data;
      });
    }).then(function (list) {
      models = {};
      modelSelect.innerHTML = '';
      var groups = {};
      list.forEach(function (m) {
        models[m.id] = m;
        // an alias (a route, with its targets) goes in a group of its own
        var key = m.targets ? '\u0000routes' : m.provider;
        var g = groups[key];
        if (!g) {
          g = groups[key] = document.createElement('optgroup');
          g.label = m.targets ? 'Routes' : (m.provider_name || m.provider);
          modelSelect.appendChild(g);
        }
        var o = document.createElement('option');
        o.value = m.id;
        o.textContent = m.targets ? m.display_name || m.model
          : m.display_name && m.display_name !== m.model ? m.display_name + ' (' + m.model + ')' : m.model;
        if (m.available === false) {
          o.disabled = true;
          o.textContent += ' — ' + m.status;
          o.title = m.status;
        }
        g.appendChild(o);
      });
      var usable = list.filter(function (m) { return m.available !== false; });
      var none = usable.length === 0;
      modelSelect.disabled = list.length === 0;
      message.disabled = none;
      sendButton.disabled = none;
      if (list.length === 0) {
        modelSelect.innerHTML = '<option>no models</option>';
        setStatus('No routable models: add a provider with a models list (deploy/ folder or Web Console).');
      } else if (none) {
        setStatus('No model can answer now: each one says why (a key to store, a base URL to confirm).');
      } else {
        var last = localStorage.getItem('moryflow.model');
        if (last && models[last] && models[last].available !== false) {
          modelSelect.value = last;
        } else {
          modelSelect.value = usable[0].id;
        }
        describe();
        setStatus(usable.length + ' models' + (usable.length < list.length ? ' (' + (list.length - usable.length)
            + ' cannot answer now)' : ''));
      }
    }).catch(function (err) {
      modelSelect.disabled = true;
      message.disabled = true;
      sendButton.disabled = true;
      setStatus('');
      showError(turn('error', ''), err);
    });
  }

  function describe() {
    var m = models[modelSelect.value];
    if (!m) { info.textContent = ''; return; }
    if (m.targets) {
      info.textContent = 'Route: ' + m.targets.join(' \u2192 ') + ' (tried in this order, a degraded provider last)';
      return;
    }
    var parts = [m.provider_name || m.provider];
    if (m.context_window) { parts.push(m.context_window.toLocaleString() + ' tokens'); }
    if (m.capabilities && m.capabilities.length) { parts.push(m.capabilities.join(', ')); }
    info.textContent = parts.join(' · ');
  }

  function send(text) {
    var model = modelSelect.value;
    localStorage.setItem('moryflow.model', model);
    turn('user', text);
    var answer = turn('assistant', '');
    var controller = new AbortController();
    running = controller;
    sendButton.disabled = true;
    stopButton.hidden = false;
    var started = performance.now(), firstChunk = null, usage = null, servedBy = '';
    fetch('/v1/chat/completions', {
      method: 'POST', headers: headers(), signal: controller.signal,
      body: JSON.stringify({ model: model, stream: true, stream_options: { include_usage: true },
        messages: [{ role: 'user', content: text }] })
    }).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return null; }).then(function (body) {
          throw errorFrom(r.status, body, r.headers.get('X-MoryFlow-Provider'));
        });
      }
      // who answered: the provider the hub names, and for a route the targets it tried when it fell back
      servedBy = r.headers.get('X-MoryFlow-Provider') || (models[model] ? models[model].provider : '') || '';
      var tried = r.headers.get('X-MoryFlow-Route-Attempts');
      if (tried) { servedBy += ' (tried ' + tried + ')'; }
      var reader = r.body.getReader(), decoder = new TextDecoder(), buffer = '';
      function pump() {
        return reader.read().then(function (step) {
          if (step.done) { return; }
          buffer += decoder.decode(step.value, { stream: true });
          var events = buffer.split('\n\n');
          buffer = events.pop();
          for (var i = 0; i < events.length; i++) {
            var data = events[i].split('\n').filter(function (l) { return l.indexOf('data: ') === 0; })
              .map(function (l) { return l.slice(6); }).join('\n');
            if (!data || data === '[DONE]') { continue; }
            var chunk = JSON.parse(data);
            if (chunk.error) { throw errorFrom(r.status, chunk, r.headers.get('X-MoryFlow-Provider')); }
            if (chunk.usage) { usage = chunk.usage; }
            var delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
            if (delta && delta.content) {
              if (firstChunk === null) { firstChunk = performance.now() - started; }
              answer.textContent += delta.content;
              answer.scrollIntoView({ block: 'end' });
            }
          }
          return pump();
        });
      }
      return pump().then(function () {
        var meta = document.createElement('span');
        meta.className = 'meta';
        meta.textContent = servedBy + ' · first chunk ' +
          Math.round(firstChunk || 0) + ' ms · ' + Math.round(performance.now() - started) + ' ms' +
          (usage ? ' · ' + usage.prompt_tokens + ' + ' + usage.completion_tokens + ' tokens' : '');
        answer.appendChild(meta);
      });
    }).catch(function (err) {
      if (err.name === 'AbortError') {
        var meta = document.createElement('span');
        meta.className = 'meta';
        meta.textContent = 'stopped';
        answer.appendChild(meta);
      } else {
        showError(answer, err.message ? err : { message: 'The request failed: ' + err });
      }
    }).then(function () {
      running = null;
      sendButton.disabled = false;
      stopButton.hidden = true;
    });
  }

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    localStorage.setItem('moryflow.token', tokenInput.value.trim());
    tokenInput.value = '';
    tokenInput.placeholder = 'token saved in this browser';
    loadModels();
  });
  modelSelect.addEventListener('change', describe);
  $('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = message.value.trim();
    if (!text || running) { return; }
    message.value = '';
    send(text);
  });
  message.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); }
  });
  stopButton.addEventListener('click', function () { if (running) { running.abort(); } });

  if (token()) { tokenInput.placeholder = 'token saved in this browser'; loadModels(); }
  else { setStatus('Paste the gateway token to start.'); }
})();
