// Maps a server problem (ApiError) onto a form: when `field` names one of the
// form's fields the Chinese detail is shown next to that field, otherwise the
// title and detail are shown above the form.
import { reactive, ref } from 'vue';

/** "/roles/1", "roles[1]", "scope.code" → "roles", "roles", "scope" */
export function fieldRoot(field) {
  if (!field) return '';
  return String(field).replace(/^[/#.]+/, '').split(/[/.[]/)[0];
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function useProblem(aliases = {}) {
  const fields = reactive({});
  const general = ref(null);

  function clear() {
    for (const k of Object.keys(fields)) delete fields[k];
    general.value = null;
  }

  /** Show err on the form; `known` lists the form's field names. */
  function show(err, known) {
    clear();
    const root = fieldRoot(err.field);
    const name = aliases[root] || root;
    if (name && known.includes(name)) {
      // Next to the field, "password: too short" reads better as "too short".
      const detail = (err.detail || '').replace(new RegExp(`^${escape(String(err.field))}\\s*[:：]\\s*`), '');
      fields[name] = detail || err.title;
    } else {
      general.value = { title: err.title, detail: err.detail };
    }
  }

  return { fields, general, clear, show };
}
