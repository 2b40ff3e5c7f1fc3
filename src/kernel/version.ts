/** The package's name and version, as the tracer reports them; a unit test keeps them equal to package.json. */
export const PACKAGE_NAME = '@classytic/referral';
export const PACKAGE_VERSION = '0.1.0';
