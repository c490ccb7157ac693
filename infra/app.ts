// The CDK app that `npx cdk synth|deploy` runs (cdk.json "app"): the course's two stacks, checked
// by cdk-nag's AWS Solutions rules (a finding without a written acknowledgement fails the synth).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineCourseApp } from './course-app.js';

const app = new App();
await defineCourseApp(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
