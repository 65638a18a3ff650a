// Reads an Airflow UI link (DAG, run, task instance, log) of this Airflow: the route forms of each UI version.
import { AppError } from '../errors.js';

/** What a UI link points to, normalised across Airflow versions. */
export type UiTarget =
  | { kind: 'dag'; dag_id: string }
  | { kind: 'task'; dag_id: string; task_id: string }
  | { kind: 'run'; dag_id: string; run_id: string }
  | {
      kind: 'task_instance';
      dag_id: string;
      run_id: string;
      task_id: string;
      map_index?: number;
      try_number?: number;
      /** The link opens the log view. */
      log: boolean;
    };

/** Reads the path below the Airflow base and the query string into a target, or undefined if unknown. */
export type UiRouteParser = (segments: string[], query: URLSearchParams) => UiTarget | undefined;

function intParam(value: string | null | undefined, min: number): number | undefined {
  if (value === null || value === undefined || !/^-?\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min ? n : undefined;
}

/**
 * Airflow 3 (React UI): /dags/<dag>[/<tab>], /dags/<dag>/tasks/<task>, /dags/<dag>/runs/<run>[/<tab>],
 * /dags/<dag>/runs/<run>/tasks/<task>[/mapped/<i>][/<tab>] with ?try_number=.
 */
export const parseUiRouteV3: UiRouteParser = (s, query) => {
  if (s[0] !== 'dags' || !s[1]) return undefined;
  const dag_id = s[1];
  if (s[2] === 'tasks' && s[3]) return { kind: 'task', dag_id, task_id: s[3] };
  if (s[2] !== 'runs' || !s[3]) return s.length <= 3 ? { kind: 'dag', dag_id } : undefined;
  const run_id = s[3];
  if (s[4] !== 'tasks' || !s[5]) return s.length <= 5 ? { kind: 'run', dag_id, run_id } : undefined;
  const mapped = s[6] === 'mapped' ? intParam(s[7], 0) : undefined;
  const tab = mapped !== undefined ? s[8] : s[6];
  const try_number = intParam(query.get('try_number'), 1);
  return {
    kind: 'task_instance',
    dag_id,
    run_id,
    task_id: s[5],
    ...(mapped !== undefined ? { map_index: mapped } : {}),
    ...(try_number !== undefined ? { try_number } : {}),
    log: tab === undefined || tab === 'logs' || tab === 'log',
  };
};

/**
 * Airflow 2 (Flask UI): /dags/<dag>/<view>?dag_run_id=&task_id=&map_index=&tab=, and the older
 * /log?dag_id=&dag_run_id=&task_id=&try_number= form.
 */
export const parseUiRouteV2: UiRouteParser = (s, query) => {
  const dag_id = s[0] === 'dags' && s[1] ? s[1] : s[0] === 'log' ? query.get('dag_id') : null;
  if (!dag_id || s.length > 3) return undefined;
  const run_id = query.get('dag_run_id');
  const task_id = query.get('task_id');
  if (!run_id) return task_id ? { kind: 'task', dag_id, task_id } : { kind: 'dag', dag_id };
  if (!task_id) return { kind: 'run', dag_id, run_id };
  const map_index = intParam(query.get('map_index'), 0);
  const try_number = intParam(query.get('try_number'), 1);
  return {
    kind: 'task_instance',
    dag_id,
    run_id,
    task_id,
    ...(map_index !== undefined ? { map_index } : {}),
    ...(try_number !== undefined ? { try_number } : {}),
    log: s[0] === 'log' || query.get('tab') === 'logs',
  };
};

function refuse(message: string, hint: string): never {
  throw new AppError('invalid_argument', message, { hint });
}

/**
 * Resolves a link against this Airflow's base URL: same scheme, host and port, under the base path.
 * Links to any other host are refused, so the tool cannot be pointed elsewhere.
 */
export function resolveUiUrl(baseUrls: readonly string[], link: string, parse: UiRouteParser): UiTarget {
  if (baseUrls.length === 0)
    refuse(
      'This server does not know its Airflow URL, so it cannot read UI links.',
      'Use the ids in the link with the other tools.',
    );
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    refuse(
      'url is not an absolute URL.',
      'Paste the whole link, e.g. https://airflow.example.com/dags/my_dag.',
    );
  }
  const bases = baseUrls.map((b) => new URL(b));
  const base = bases.find((b) => b.origin === url.origin);
  if (!base) {
    refuse(
      `The link is not to this server's Airflow (${bases.map((b) => b.origin).join(' or ')}).`,
      'Only links to the Airflow this server is connected to can be opened.',
    );
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  if (prefix && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
    refuse(`The link is outside this Airflow's base path ${prefix}.`, 'Paste a link from this Airflow’s UI.');
  }
  let segments: string[];
  try {
    segments = url.pathname.slice(prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    refuse('The link has a malformed path.', 'Paste the link as the browser shows it.');
  }
  const target = parse(segments, url.searchParams);
  if (!target) {
    refuse(
      'The link is not to a DAG, DAG run, task or task instance page.',
      'Links to DAG, run and task-instance pages (and their logs) can be opened.',
    );
  }
  return target;
}
