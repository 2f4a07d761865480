export { scaffold, ScaffoldError, type ScaffoldOptions, type Scaffolded } from './scaffold.js';
export { templates, type TemplateInfo } from './templates.js';
