// Exercises held (GET /api/v1/exercises) and one exercise (GET /api/v1/exercises/{id}?collection=):
// teams and scores, sharing objectives with their time to share, and the after-action report
// drawn by the node from the kept scoreboard, as a download. The node lists only the results
// the policy releases to the signed-in user; scoreboard text goes through text bindings only.
import { html, nothing } from 'lit';
import { api, query } from '../api';
import { KzElement } from '../element';
import { formatNumber, formatTime, lang, t } from '../i18n';
import { errorLine, loadingLine, text } from './common';
import { KzListPage, pageOf } from './list_page';
import { markingBanner } from './object';

interface ExerciseSummary {
  exercise: string;
  collection: string;
  title: string;
  from: string;
  to: string;
  tlp: string;
  teams: number;
  recorded: string;
}
interface Team {
  team: string;
  nation: string;
  steps: number | null;
  detected: number | null;
  recall: number | null;
  precision: number | null;
  mean_ttd_s: number | null;
  share_to_use: number | null;
  score: number | null;
}
interface Objective {
  objective: string;
  from: string;
  to: string;
  step: string;
  time_to_share_s: number | null;
  shared_at: string | null;
  met: boolean | null;
  used: boolean | null;
}
interface Exercise extends Omit<ExerciseSummary, 'teams'> {
  duration_s: number | null;
  teams: Team[];
  objectives: Objective[];
  aar: boolean;
}

function exercisePath(e: { exercise: string; collection: string }, suffix = '', params: Record<string, string> = {}): string {
  return '/api/v1/exercises/' + encodeURIComponent(e.exercise) + suffix + query({ collection: e.collection, ...params });
}

// A number with up to three decimals, or a dash for none.
function figure(v: unknown): string {
  return typeof v === 'number' ? formatNumber(Math.round(v * 1000) / 1000) : '–';
}

function yesNo(v: unknown): string {
  return v === true ? t('common.yes') : v === false ? t('common.no') : '–';
}

class KzExercises extends KzListPage<ExerciseSummary> {
  constructor() {
    super('exercises');
  }

  protected async fetchRows() {
    return pageOf<ExerciseSummary>(await api('GET', '/api/v1/exercises'), 'exercises');
  }

  render() {
    const rows = this.rows;
    return html`<h1>${t('exercises.title')}</h1>${this.state('exercises.none')}
      ${rows?.length ? html`<table class="exercises">
        <thead><tr><th scope="col">${t('exercises.name')}</th><th scope="col">${t('exercises.id')}</th>
          <th scope="col">${t('exercises.from')}</th><th scope="col">${t('exercises.to')}</th>
          <th scope="col">TLP</th><th scope="col">${t('exercises.teams')}</th></tr></thead>
        <tbody>${rows.map((e) => html`<tr>
          <td><a href="#/exercise/${encodeURIComponent(e.exercise)}?${new URLSearchParams({ collection: e.collection })}">${text(e.title || e.exercise)}</a></td>
          <td><code>${text(e.exercise)}</code></td><td>${formatTime(e.from)}</td><td>${formatTime(e.to)}</td>
          <td>${text(e.tlp)}</td><td class="num">${figure(e.teams)}</td></tr>`)}</tbody>
      </table>` : nothing}`;
  }
}
customElements.define('kz-exercises', KzExercises);

class KzExercise extends KzElement {
  static properties = { exercise: {}, collection: {}, data: { state: true }, error: { state: true } };
  declare exercise: string;
  declare collection: string;
  declare data: Exercise | null;
  declare error: unknown;

  constructor() {
    super();
    this.exercise = '';
    this.collection = '';
    this.data = null;
    this.error = null;
  }

  async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      this.data = await api<Exercise>('GET', exercisePath(this));
    } catch (e) {
      this.error = e;
    }
    this.painted('exercise');
  }

  private teams(teams: Team[]) {
    if (!teams.length) return html`<p>${t('exercise.noTeams')}</p>`;
    return html`<table class="teams">
      <thead><tr><th scope="col">${t('exercise.team')}</th><th scope="col">${t('exercise.nation')}</th>
        <th scope="col">${t('exercise.steps')}</th><th scope="col">${t('exercise.detected')}</th>
        <th scope="col">${t('exercise.recall')}</th><th scope="col">${t('exercise.precision')}</th>
        <th scope="col">${t('exercise.meanTtd')}</th><th scope="col">${t('exercise.score')}</th></tr></thead>
      <tbody>${teams.map((m) => html`<tr><td>${text(m.team)}</td><td>${text(m.nation)}</td>
        <td class="num">${figure(m.steps)}</td><td class="num">${figure(m.detected)}</td>
        <td class="num">${figure(m.recall)}</td><td class="num">${figure(m.precision)}</td>
        <td class="num">${figure(m.mean_ttd_s)}</td><td class="num">${figure(m.score)}</td></tr>`)}</tbody>
    </table>`;
  }

  private objectives(objectives: Objective[]) {
    if (!objectives.length) return html`<p>${t('exercise.noObjectives')}</p>`;
    return html`<table class="objectives">
      <thead><tr><th scope="col">${t('exercise.objective')}</th><th scope="col">${t('exercise.fromTo')}</th>
        <th scope="col">${t('exercise.step')}</th><th scope="col">${t('exercise.timeToShare')}</th>
        <th scope="col">${t('exercise.met')}</th><th scope="col">${t('exercise.used')}</th></tr></thead>
      <tbody>${objectives.map((o) => html`<tr><td>${text(o.objective)}</td><td>${text(o.from)} → ${text(o.to)}</td>
        <td>${text(o.step)}</td><td class="num">${figure(o.time_to_share_s)}</td>
        <td>${yesNo(o.met)}</td><td>${yesNo(o.used)}</td></tr>`)}</tbody>
    </table>`;
  }

  render() {
    const d = this.data;
    if (!d) return html`<h1>${t('exercise.title')}</h1>${errorLine(this.error)}${this.error ? nothing : loadingLine()}`;
    return html`${markingBanner({ tlp: d.tlp.replace(/^TLP:/, '').toLowerCase() || undefined })}
      <h1>${text(d.title || d.exercise)}</h1>
      <dl class="fields">
        <dt>${t('exercises.id')}</dt><dd><code>${text(d.exercise)}</code></dd>
        <dt>${t('exercises.from')}</dt><dd>${formatTime(d.from)}</dd>
        <dt>${t('exercises.to')}</dt><dd>${formatTime(d.to)}</dd>
        <dt>${t('exercise.recorded')}</dt><dd>${formatTime(d.recorded)}</dd>
      </dl>
      <h2>${t('exercise.teamsTitle')}</h2>${this.teams(d.teams)}
      <h2>${t('exercise.objectivesTitle')}</h2>${this.objectives(d.objectives)}
      <h2>${t('exercise.aar')}</h2>
      ${d.aar ? html`<p><a href=${exercisePath(d, '/aar', { lang: lang() })}
        download>${t('exercise.aarDownload')}</a></p>` : html`<p>${t('exercise.noAar')}</p>`}`;
  }
}
customElements.define('kz-exercise', KzExercise);
