// Preloaded into the load bench's server process (node --import): counts the database round trips
// (client.query calls; a multi-statement text is one) without touching the server's code, and
// answers the running total at GET /__bench/queries. A plain counter, not AsyncLocalStorage (which
// would slow every promise on Node 20): the bench reads it around requests it sends one at a time.
// Loaded only by bench/load.ts; never by the server as deployed.
import http from 'node:http';
import pg from 'pg';

let queries = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  queries++;
  return query.apply(this, args);
};

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === 'request' && req.url === '/__bench/queries') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ queries }));
    return true;
  }
  return emit.apply(this, arguments);
};
