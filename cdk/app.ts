import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineStack } from './pipeline-stack.js';

const app = new App();
new PipelineStack(app, 'MegashardPipeline');
// cdk-nag v3: synthesis fails while any AwsSolutions finding is unacknowledged.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
