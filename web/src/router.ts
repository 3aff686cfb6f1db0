// Client-side routes under /console/#/PAGE[/ARG][?PARAMS].

export interface Route {
  page: string;
  arg: string;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, q = ''] = hash.split('?', 2);
  const [page, ...rest] = path.split('/');
  let arg = '';
  try {
    arg = decodeURIComponent(rest.join('/'));
  } catch {
    arg = '';
  }
  return { page: page || 'dashboard', arg, params: new URLSearchParams(q) };
}

export function go(path: string, params?: URLSearchParams): void {
  const q = params?.toString();
  location.hash = '#/' + path + (q ? '?' + q : '');
}
