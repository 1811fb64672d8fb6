// Which methods each route path of an app answers, so that a wrong method on a known path gets 405 with an
// Allow header (RFC 9110 §15.5.6) instead of the 404 an unknown path gets.
import type { FastifyInstance } from 'fastify';
import { MethodNotAllowed } from '../oauth/errors.js';
import { allowHeader } from './cors.js';

interface Route {
  pattern: RegExp;
  methods: Set<string>;
}

export class RouteMethods {
  private readonly routes = new Map<string, Route>();

  /** Records every route registered on `app` (and its plugins) from now on. */
  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const url = route.url.length > 1 && route.url.endsWith('/') ? route.url.slice(0, -1) : route.url;
      let entry = this.routes.get(url);
      if (!entry) {
        // ":param" matches one segment, "*" the rest of the path.
        const source = url.split('/').map((segment) => segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/');
        entry = { pattern: new RegExp(`^${source}$`), methods: new Set() };
        this.routes.set(url, entry);
      }
      for (const method of [route.method].flat()) entry.methods.add(method);
    });
  }

  /** The methods the path answers, or undefined when no route has this path. */
  methodsFor(path: string): Set<string> | undefined {
    const exact = this.routes.get(path);
    if (exact) return exact.methods;
    for (const route of this.routes.values()) if (route.pattern.test(path)) return route.methods;
    return undefined;
  }
}

/** The 405 for `method` on a known path that answers `methods`, on either edge. */
export function methodNotAllowed(method: string, path: string, methods: Iterable<string>): MethodNotAllowed {
  const use = [...methods].filter((name) => name !== 'HEAD').sort().join(' or ');
  return new MethodNotAllowed(`${method} is not allowed on ${path}; use ${use}`, allowHeader(path, methods));
}
