/** The parts of the OpenAPI 3 document the proofs walk: every operation, its parameters and body. */

export interface Schema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly nullable?: boolean;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly example?: unknown;
  readonly default?: unknown;
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema: Schema;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI template, e.g. /api/v1/accounts/{id}. */
  readonly path: string;
  /** The operation declares a security requirement (a bearer token). */
  readonly protected: boolean;
  readonly parameters: readonly Parameter[];
  /** The body's media type and schema, when it takes one. */
  readonly body?: { readonly contentType: string; readonly schema: Schema; readonly required: boolean };
  readonly responses: readonly number[];
}

interface Operation {
  readonly security?: readonly unknown[];
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content: Readonly<Record<string, { readonly schema: Schema }>> };
  readonly responses: Readonly<Record<string, unknown>>;
}

export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

export function routesOf(doc: OpenApiDocument): Route[] {
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
      routes.push({
        method: method.toUpperCase() as Route['method'],
        path,
        protected: (op.security?.length ?? 0) > 0,
        parameters: op.parameters ?? [],
        ...(content && { body: { contentType: content[0], schema: content[1].schema, required: op.requestBody?.required ?? false } }),
        responses: Object.keys(op.responses).map(Number),
      });
    }
  }
  return routes;
}

export const pathParams = (route: Route): string[] => route.parameters.filter((p) => p.in === 'path').map((p) => p.name);

/** Replaces each {name} of the template (values are URL-encoded). */
export function fillPath(path: string, values: Readonly<Record<string, string>>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

export const label = (route: Route): string => `${route.method} ${route.path}`;
