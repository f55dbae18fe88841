/**
 * Runs inside each hook call's fresh `node:vm` context before the user's script. It installs the
 * sandbox's globals (console, and fetch / require when allowed) as functions of the context itself,
 * which reach the worker's bridges only through their closures: no object of the worker's realm is
 * ever handed to hook code (such an object's `constructor.constructor` would be the worker's
 * Function, a way out of the context). Data crosses as strings: JSON in, JSON out.
 *
 * Everything is strict mode, so `fn.caller` and `fn.arguments` cannot reach the bridges either.
 * Binary buffers are removed: their memory lives outside the heap memory_limit_mb bounds.
 */
export const BOOTSTRAP = String.raw`(function () {
  'use strict';
  var G = globalThis;
  var stringify = JSON.stringify, parse = JSON.parse, Str = String, Prom = Promise, Err = Error, TypeErr = TypeError;
  var isArray = Array.isArray, keys = Object.keys, freeze = Object.freeze;
  var MAX_CONSOLE_TEXT = 8192;
  var OFF_HEAP = ['ArrayBuffer', 'SharedArrayBuffer', 'Atomics', 'DataView', 'WebAssembly', 'Int8Array', 'Uint8Array',
    'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
    'BigInt64Array', 'BigUint64Array'];
  for (var k = 0; k < OFF_HEAP.length; k++) delete G[OFF_HEAP[k]];

  function show(value) {
    if (typeof value === 'string') return value;
    try {
      var json = stringify(value);
      if (json !== undefined) return json;
    } catch (e) { /* cyclic or BigInt: fall back to String */ }
    try { return Str(value); } catch (e) { return '[unprintable]'; }
  }

  function describe(error) {
    var out = { name: 'Error', message: '', stack: '' };
    try {
      if (error !== null && typeof error === 'object') {
        out.name = Str(error.name);
        out.message = Str(error.message);
        out.stack = Str(error.stack);
      } else {
        out.message = Str(error);
      }
    } catch (e) {
      out.message = 'the hook threw a value that cannot be shown';
    }
    return stringify(out);
  }

  function headerPairs(headers) {
    var pairs = [];
    if (headers === undefined || headers === null) return pairs;
    if (isArray(headers)) {
      for (var i = 0; i < headers.length; i++) pairs.push([Str(headers[i][0]), Str(headers[i][1])]);
      return pairs;
    }
    var names = keys(headers);
    for (var j = 0; j < names.length; j++) pairs.push([names[j], Str(headers[names[j]])]);
    return pairs;
  }

  function headersOf(pairs) {
    function all(name) {
      var wanted = Str(name).toLowerCase(), out = [];
      for (var i = 0; i < pairs.length; i++) if (pairs[i][0] === wanted) out.push(pairs[i][1]);
      return out;
    }
    return freeze({
      get: function (name) { var v = all(name); return v.length === 0 ? null : v.join(', '); },
      has: function (name) { return all(name).length > 0; },
      getSetCookie: function () { return all('set-cookie'); },
      forEach: function (fn) { for (var i = 0; i < pairs.length; i++) fn(pairs[i][1], pairs[i][0]); }
    });
  }

  function responseOf(answer) {
    var used = false;
    function take() {
      if (used) return Prom.reject(new TypeErr('Body has already been consumed'));
      used = true;
      return Prom.resolve(answer.body);
    }
    return freeze({
      status: answer.status,
      statusText: answer.statusText,
      ok: answer.status >= 200 && answer.status < 300,
      url: answer.url,
      redirected: answer.redirected,
      headers: headersOf(answer.headers),
      text: function () { return take(); },
      json: function () { return take().then(function (t) { return parse(t); }); }
    });
  }

  return function install(bridge) {
    var log = bridge.log, done = bridge.done, bridgeFetch = bridge.fetch, bridgeFs = bridge.fs;

    function consoleMethod(level) {
      return function () {
        var line = '';
        for (var i = 0; i < arguments.length; i++) line += (i === 0 ? '' : ' ') + show(arguments[i]);
        log(level, line.length > MAX_CONSOLE_TEXT ? line.slice(0, MAX_CONSOLE_TEXT) + '...' : line);
      };
    }
    G.console = freeze({
      log: consoleMethod('info'),
      info: consoleMethod('info'),
      debug: consoleMethod('debug'),
      trace: consoleMethod('debug'),
      warn: consoleMethod('warn'),
      error: consoleMethod('error')
    });

    if (bridgeFetch !== undefined) {
      G.fetch = function fetch(input, init) {
        var options = init === undefined || init === null ? {} : init;
        var request = stringify({
          url: Str(input),
          method: options.method === undefined ? 'GET' : Str(options.method).toUpperCase(),
          headers: headerPairs(options.headers),
          body: options.body === undefined || options.body === null ? null : Str(options.body)
        });
        return new Prom(function (resolve, reject) {
          bridgeFetch(request, function (failure, answer) {
            if (failure !== null) reject(new TypeErr(failure));
            else resolve(responseOf(parse(answer)));
          });
        });
      };
    }

    if (bridgeFs !== undefined) {
      var fsCall = function (op, path, data) {
        var answer = parse(bridgeFs(op, Str(path), data === undefined ? null : Str(data)));
        if (!answer.ok) throw new Err(answer.error);
        return answer.value;
      };
      var fs = freeze({
        readFileSync: function (path) { return fsCall('read', path); },
        writeFileSync: function (path, data) { fsCall('write', path, data); },
        appendFileSync: function (path, data) { fsCall('append', path, data); },
        existsSync: function (path) { return fsCall('exists', path); },
        readdirSync: function (path) { return fsCall('list', path); },
        unlinkSync: function (path) { fsCall('delete', path); }
      });
      G.require = function require(name) {
        var wanted = Str(name);
        if (wanted === 'fs' || wanted === 'node:fs') return fs;
        throw new Err("require('" + wanted + "'): hooks can load only 'fs'");
      };
    }

    return freeze({
      describe: describe,
      run: function (fn, argsJson) {
        var pending;
        try {
          pending = Prom.resolve(fn.apply(undefined, parse(argsJson)));
        } catch (e) {
          pending = Prom.reject(e);
        }
        pending.then(function (value) {
          var out;
          try {
            out = stringify(value === undefined ? null : value);
          } catch (e) {
            done(describe(e), null);
            return;
          }
          done(null, out === undefined ? 'null' : out);
        }, function (e) {
          done(describe(e), null);
        });
      }
    });
  };
})()`;
