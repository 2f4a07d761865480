/** A template `create-app` can write. */
export interface TemplateInfo {
  /** What the user picks with `--template`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** The text in the template that names the app (package name, lock name, log lines), replaced by the app's name. */
  appNameToken: string;
  /** The files (relative) whose default port `3000` becomes the chosen port. */
  portFiles: string[];
}

/** The templates shipped, built from the repo's examples/ (the default first). */
export const templates: readonly TemplateInfo[] = [
  {
    name: 'express-cjs',
    description: 'Express 4 in CommonJS, express-generator layout (bin/www), no build step',
    appNameToken: 'express-cjs',
    portFiles: ['bin/www'],
  },
];
