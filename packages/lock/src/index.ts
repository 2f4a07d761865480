export const __pmPackage = true;
