// The CDK app that `npx cdk synth|deploy` runs (cdk.json "app"): the course's two stacks, checked
// by cdk-nag's AWS Solutions rules (a finding without a written acknowledgement fails the synth).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployConfigError } from './config.js';
import { defineCourseApp } from './course-app.js';

const app = new App();
try {
  await defineCourseApp(app);
} catch (e: unknown) {
  // A setting the synth refuses is the operator's to fix: say it in one message, not a stack trace.
  if (!(e instanceof DeployConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
